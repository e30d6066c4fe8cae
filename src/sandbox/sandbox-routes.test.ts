import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import type { OfflineSession } from "../shopify/offline-session.ts";
import { createSandboxAdmin, SANDBOX_MOUNT_PATH, type SandboxAdmin } from "./sandbox-admin.ts";
import { createSandboxRoutes } from "./sandbox-routes.ts";

const plan = { name: "MouseStats Heatmaps", amount: 9.99, currencyCode: "USD", interval: "EVERY_30_DAYS", trialDays: 0 } as const;

const SHOP = "demo-shop.myshopify.com";
const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);
const RETURN_URL = "http://localhost:3000/?shop=demo-shop.myshopify.com";
const session: OfflineSession = { id: `offline_${SHOP}`, shop: SHOP, accessToken: "shpat_sandbox_x" };

interface Delivery { topic: string; shop: string; payload: object }

let now: number;
let sandboxAdmin: SandboxAdmin;
let deliveries: Delivery[];
let failDeliveries: boolean;
let app: Hono;

beforeEach(() => {
  now = T0;
  sandboxAdmin = createSandboxAdmin({ appUrl: "http://localhost:3000", now: () => now, firstChargeId: 1029266977 });
  deliveries = [];
  failDeliveries = false;
  const routes = createSandboxRoutes({
    sandboxAdmin,
    now: () => now,
    deliverWebhook: async (topic, shop, payload) => {
      if (failDeliveries) throw new Error("connection refused");
      deliveries.push({ topic, shop, payload });
    },
  });
  app = new Hono().route(SANDBOX_MOUNT_PATH, routes);
});

describe("GET /sandbox/theme-editor", () => {
  it("stands in for the app-embed deep link, showing the real link it replaces", async () => {
    const url = new URL(sandboxAdmin.themeEditorUrl(SHOP, "sandbox-api-key/mousestats-tracking"));
    expect(url.origin).toBe("http://localhost:3000");
    const res = await app.request(`${url.pathname}${url.search}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const body = await res.text();
    expect(body).toContain(`https://${SHOP}/admin/themes/current/editor?context=apps&amp;activateAppId=sandbox-api-key/mousestats-tracking`);
    expect(body).toContain(`href="/?shop=${SHOP}"`);
  });

  it.each([
    ["a hostile shop", `?shop=${encodeURIComponent('x.myshopify.com"><script>')}&activateAppId=a/b`],
    ["a hostile activateAppId", `?shop=${SHOP}&activateAppId=${encodeURIComponent('a/b"><script>')}`],
    ["nothing", ""],
  ])("answers 400 for %s", async (_name, query) => {
    const res = await app.request(`${SANDBOX_MOUNT_PATH}/theme-editor${query}`);
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain("<script>");
  });
});

async function createCharge(returnUrl = RETURN_URL): Promise<string> {
  const { confirmationUrl } = await sandboxAdmin.createSubscription(session, { plan, returnUrl, test: true });
  return new URL(confirmationUrl).searchParams.get("charge")!;
}

const post = (form: Record<string, string>) =>
  app.request("/sandbox/confirm", { method: "POST", body: new URLSearchParams(form), headers: { "content-type": "application/x-www-form-urlencoded" } });

function expectedPayload(status: string, updatedAt: string) {
  return {
    app_subscription: {
      admin_graphql_api_id: "gid://shopify/AppSubscription/1029266977",
      name: "MouseStats Heatmaps",
      status,
      admin_graphql_api_shop_id: sandboxAdmin.shopGid(SHOP),
      created_at: "2026-11-27T08:00:00+00:00",
      updated_at: updatedAt,
      currency: "USD",
      capped_amount: null,
      price: "9.99",
      interval: "every_30_days",
      plan_handle: null,
    },
  };
}

describe("GET /sandbox/confirm", () => {
  it("shows the charge with Approve and Decline forms", async () => {
    const id = await createCharge();
    const res = await app.request(`/sandbox/confirm?charge=${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const body = await res.text();
    expect(body).toContain("Approve charge: MouseStats Heatmaps $9.99 every 30 days");
    expect(body).toContain("Sandbox: no real money");
    expect(body).toContain('<form method="post" action="/sandbox/confirm">');
    expect(body).toContain(`<input type="hidden" name="charge" value="${id}">`);
    expect(body).toContain('name="decision" value="approve">Approve</button>');
    expect(body).toContain('name="decision" value="decline">Decline</button>');
    expect(body).toContain(SHOP);
  });

  it.each(["/sandbox/confirm?charge=999", "/sandbox/confirm", "/sandbox/confirm?charge=%3Cscript%3Ealert(1)%3C%2Fscript%3E"])(
    "answers 404 for %s without echoing the id",
    async (path) => {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      const body = await res.text();
      expect(body).toContain("Charge not found");
      expect(body).not.toContain("<script>");
    },
  );

  it("shows a settled charge's state with an escaped link back", async () => {
    const id = await createCharge('http://localhost:3000/?x="><script>alert(1)</script>');
    await post({ charge: id, decision: "approve" });
    const body = await (await app.request(`/sandbox/confirm?charge=${id}`)).text();
    expect(body).toContain("already active");
    expect(body).not.toContain("<script>alert");
    expect(body).toContain("&lt;script&gt;");
    expect(body).not.toContain('name="decision"');
  });
});

describe("POST /sandbox/confirm", () => {
  it("activates the charge, delivers app_subscriptions/update and redirects to the return URL", async () => {
    const id = await createCharge();
    now = T0 + 42_000;
    const res = await post({ charge: id, decision: "approve" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${RETURN_URL}&charge_id=${id}`);
    expect(deliveries).toEqual([{ topic: "app_subscriptions/update", shop: SHOP, payload: expectedPayload("ACTIVE", "2026-11-27T08:00:42+00:00") }]);
    expect(sandboxAdmin.getCharge(id)?.status).toBe("ACTIVE");
  });

  it("declines the charge and says so in the webhook", async () => {
    const id = await createCharge();
    const res = await post({ charge: id, decision: "decline" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).not.toContain("charge_id");
    expect(deliveries).toEqual([{ topic: "app_subscriptions/update", shop: SHOP, payload: expectedPayload("DECLINED", "2026-11-27T08:00:00+00:00") }]);
    expect(sandboxAdmin.getCharge(id)?.status).toBe("DECLINED");
  });

  it("answers 409 and delivers nothing for a charge already settled", async () => {
    const id = await createCharge();
    await post({ charge: id, decision: "approve" });
    const again = await post({ charge: id, decision: "decline" });
    expect(again.status).toBe(409);
    expect(deliveries).toHaveLength(1);
    expect(sandboxAdmin.getCharge(id)?.status).toBe("ACTIVE");
  });

  it("delivers once when Approve is clicked twice at the same time", async () => {
    const id = await createCharge();
    const [a, b] = await Promise.all([post({ charge: id, decision: "approve" }), post({ charge: id, decision: "approve" })]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    expect(deliveries).toHaveLength(1);
  });

  it("keeps the charge pending with a 502 page when the app refuses the webhook", async () => {
    const id = await createCharge();
    failDeliveries = true;
    const res = await post({ charge: id, decision: "approve" });
    expect(res.status).toBe(502);
    expect(await res.text()).toContain("Try again");
    expect(sandboxAdmin.getCharge(id)?.status).toBe("PENDING");
    failDeliveries = false;
    expect((await post({ charge: id, decision: "approve" })).status).toBe(303);
    expect(deliveries).toHaveLength(1);
  });

  it("answers 404 for an unknown charge", async () => {
    expect((await post({ charge: "404", decision: "approve" })).status).toBe(404);
    expect((await post({ decision: "approve" })).status).toBe(404);
    expect(deliveries).toEqual([]);
  });

  it.each<Record<string, string>>([{}, { decision: "maybe" }, { decision: "toString" }])("answers 400 for the decision %j", async (extra) => {
    const id = await createCharge();
    expect((await post({ charge: id, ...extra })).status).toBe(400);
    expect(sandboxAdmin.getCharge(id)?.status).toBe("PENDING");
    expect(deliveries).toEqual([]);
  });
});
