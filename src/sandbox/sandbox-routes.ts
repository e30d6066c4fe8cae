import { Hono } from "hono";
import type { Context } from "hono";
import { parseShopDomain } from "../shopify/shop-domain.ts";
import { SANDBOX_MOUNT_PATH, type SandboxAdmin } from "./sandbox-admin.ts";
import { confirmPage, messagePage, themeEditorPage } from "./sandbox-pages.ts";
import { appSubscriptionsUpdatePayload } from "./subscription-payload.ts";

export type DeliverWebhook = (topic: string, shop: string, payload: object) => Promise<unknown>;

export interface SandboxRoutesOptions {
  sandboxAdmin: SandboxAdmin;
  /** Sends a signed webhook to the app (`deliver-webhook.ts` in production wiring). */
  deliverWebhook: DeliverWebhook;
  /** Epoch milliseconds; the webhook's `updated_at`. */
  now: () => number;
  /** The stand-in storefront (`sandbox-storefront.ts`), mounted at `/storefront`. */
  storefront?: Hono;
}

const CONFIRM_PATH = `${SANDBOX_MOUNT_PATH}/confirm`;
const DECISIONS = { approve: "ACTIVE", decline: "DECLINED" } as const;

/**
 * The sandbox shop's charge confirmation, to mount at `SANDBOX_MOUNT_PATH` (`/sandbox`):
 * `GET /confirm?charge=` shows the charge with Approve and Decline; `POST /confirm` settles it,
 * delivers `app_subscriptions/update` and redirects (303) to the charge's return URL, with
 * `charge_id` appended after an approval, as Shopify does. A failed delivery leaves the charge pending (502).
 * `GET /theme-editor` stands in for the theme editor's app-embed deep link.
 */
export function createSandboxRoutes(options: SandboxRoutesOptions): Hono {
  const { sandboxAdmin, deliverWebhook, now } = options;
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'");
  });

  app.get("/confirm", (c) => {
    const charge = sandboxAdmin.getCharge(c.req.query("charge") ?? "");
    if (!charge) return unknownCharge(c);
    return c.html(confirmPage(charge, CONFIRM_PATH));
  });

  app.post("/confirm", async (c) => {
    const form = await c.req.parseBody();
    const decision = typeof form.decision === "string" && Object.hasOwn(DECISIONS, form.decision)
      ? DECISIONS[form.decision as keyof typeof DECISIONS]
      : undefined;
    const id = typeof form.charge === "string" ? form.charge : "";
    const charge = sandboxAdmin.getCharge(id);
    if (!charge) return unknownCharge(c);
    if (!decision) return c.html(messagePage("Bad request", "Choose Approve or Decline."), 400);
    const settled = sandboxAdmin.settleCharge(id, decision, new Date(now()));
    if (!settled) {
      return c.html(messagePage("Charge already settled", `This charge is already ${charge.status.toLowerCase()}.`, { href: charge.returnUrl, text: "Back to the app" }), 409);
    }
    try {
      await deliverWebhook("app_subscriptions/update", settled.shop, appSubscriptionsUpdatePayload(settled, sandboxAdmin.shopGid(settled.shop)));
    } catch {
      sandboxAdmin.reopenCharge(id);
      return c.html(messagePage("Webhook not delivered", "The app did not accept the app_subscriptions/update webhook, so the charge is still pending. Check the app's log and try again.", { href: `${CONFIRM_PATH}?charge=${encodeURIComponent(id)}`, text: "Try again" }), 502);
    }
    // Shopify returns to the app with `charge_id` only after an approval; a declined charge
    // leaves the merchant in the admin, so the page must not wait for an activation.
    return c.redirect(decision === "ACTIVE" ? withChargeId(settled.returnUrl, settled.id) : settled.returnUrl, 303);
  });

  // Where Enable tracking leads in sandbox mode: there is no theme to switch the embed on in.
  app.get("/theme-editor", (c) => {
    const shop = parseShopDomain(c.req.query("shop"));
    const activateAppId = c.req.query("activateAppId") ?? "";
    if (!shop || !/^[\w-]+\/[\w-]+$/.test(activateAppId)) {
      return c.html(messagePage("Bad request", "The theme editor link needs a valid shop and activateAppId."), 400);
    }
    return c.html(themeEditorPage(shop, activateAppId));
  });

  if (options.storefront) app.route("/storefront", options.storefront);

  return app;
}

function unknownCharge(c: Context): Response | Promise<Response> {
  return c.html(messagePage("Charge not found", "This sandbox charge does not exist. Charges live in memory: restarting the app forgets them."), 404);
}

function withChargeId(returnUrl: string, chargeId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set("charge_id", chargeId);
  return url.toString();
}
