import { readFileSync } from "node:fs";
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
const THEME_EDITOR_PATH = `${SANDBOX_MOUNT_PATH}/theme-editor`;
/** The stand-in for App Bridge, read once: `idToken()`, `config` and `app.extensions()` over the sandbox. */
const APP_BRIDGE_STAND_IN = readFileSync(new URL("./sandbox-app-bridge.js", import.meta.url), "utf8");
const DECISIONS = { approve: "ACTIVE", decline: "DECLINED" } as const;

/**
 * The sandbox shop's charge confirmation, to mount at `SANDBOX_MOUNT_PATH` (`/sandbox`):
 * `GET /confirm?charge=` shows the charge with Approve and Decline; `POST /confirm` settles it,
 * delivers `app_subscriptions/update` and redirects (303) to the charge's return URL, with
 * `charge_id` appended after an approval, as Shopify does. A failed delivery leaves the charge pending (502).
 * `GET /theme-editor` stands in for the theme editor's app-embed deep link; its Save
 * (`POST /theme-editor`) switches the embed on or off in the sandbox shop. `GET /app-extensions`
 * and `GET /app-bridge.js` let the page ask for the embed status as it asks App Bridge in the admin.
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
    return c.html(themeEditorPage(shop, activateAppId, sandboxAdmin.isEmbedOn(shop), THEME_EDITOR_PATH));
  });

  app.post("/theme-editor", async (c) => {
    const form = await c.req.parseBody();
    const shop = parseShopDomain(typeof form.shop === "string" ? form.shop : undefined);
    const activateAppId = typeof form.activateAppId === "string" ? form.activateAppId : "";
    if (!shop || !/^[\w-]+\/[\w-]+$/.test(activateAppId) || (form.embed !== "on" && form.embed !== "off")) {
      return c.html(messagePage("Bad request", "Saving the theme needs a valid shop, activateAppId and embed=on|off."), 400);
    }
    sandboxAdmin.setEmbed(shop, form.embed === "on");
    return c.redirect(`${THEME_EDITOR_PATH}?${new URLSearchParams({ shop, activateAppId })}`, 303);
  });

  app.get("/app-extensions", (c) => {
    const shop = parseShopDomain(c.req.query("shop"));
    if (!shop) return c.json({ error: "shop must be a valid *.myshopify.com domain" }, 400);
    return c.json(sandboxAdmin.appExtensions(shop));
  });

  app.get("/app-bridge.js", (c) => c.body(APP_BRIDGE_STAND_IN, 200, { "Content-Type": "text/javascript; charset=utf-8" }));

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
