import type { MouseStatsSimulator } from "../../../src/mousestats/simulator.ts";
import { createSessionTokenSigner } from "../../../src/shopify/session-token.ts";
import { waitFor } from "../../helpers/test-server.ts";
import { buildWebhookRequest, orderPayload, subscriptionPayload } from "../../helpers/webhook-request.ts";
import { bearer, claimsFor, signToken } from "./tokens.ts";

export interface Collected {
  /** Every answer's headers and body, by kind: pages, the page's own assets, API JSON, anything else. */
  bodies: Array<{ kind: "html" | "asset" | "json" | "other"; path: string; text: string }>;
  /** Handed out on purpose (login URL, sandbox page): they may reach the browser, never the log. */
  loginTokens: string[];
  sessionTokens: string[];
}

export interface ExerciseOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  sim: MouseStatsSimulator;
  /** Runs before `app/uninstalled` deletes the stored sessions (read their tokens then). */
  beforeUninstall: () => void;
}

const A = "scan-a.myshopify.com";
const B = "scan-b.myshopify.com";

/**
 * Drives the app through everything a merchant, Shopify and an attacker can reach: the page and
 * its assets, the sandbox billing confirmation, every API route, every webhook topic, refusals.
 */
export async function exerciseApp(options: ExerciseOptions): Promise<Collected> {
  const { url, sim } = options;
  const collected: Collected = { bodies: [], loginTokens: [], sessionTokens: [] };
  const signer = createSessionTokenSigner({ apiKey: options.apiKey, apiSecret: options.apiSecret });
  const token = (shop: string) => signer.sign({ shop, now: Date.now() });

  async function get(path: string, init: RequestInit = {}): Promise<string> {
    const res = await fetch(new URL(path, url), { redirect: "manual", ...init });
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    const kind = path.startsWith("/assets/") ? "asset" : type.includes("html") ? "html" : type.includes("json") ? "json" : "other";
    collected.bodies.push({ kind, path, text: `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${text}` });
    return text;
  }
  const api = (method: string, path: string, shop: string, body?: unknown) => get(path, {
    method, headers: { ...bearer(token(shop)), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const webhook = (topic: string, shop: string, body: unknown, secret = options.apiSecret) => {
    const request = buildWebhookRequest({ topic, shop, body, secret });
    return get("/webhooks", { method: "POST", body: request.body, headers: request.headers });
  };
  const accountStatus = async (shop: string) => (JSON.parse(await api("GET", "/api/account", shop)) as { status: string }).status;

  for (const page of [`/?shop=${A}&host=YWRtaW4&embedded=1`, "/", `/?shop=${B}`]) {
    const html = await get(page);
    for (const [, src] of html.matchAll(/(?:src|href)="(\/[^"]+)"/g)) await get(src!);
    for (const [, t] of html.matchAll(/name="sandbox-session-token" content="([^"]+)"/g)) collected.sessionTokens.push(t!);
  }
  collected.sessionTokens.push((JSON.parse(await get(`/assets/sandbox-token?shop=${A}`)) as { token: string }).token);

  await api("GET", "/api/account", A);
  await api("GET", "/api/tracking", A);
  const { confirmationUrl } = JSON.parse(await api("POST", "/api/billing/subscribe", A)) as { confirmationUrl: string };
  const confirm = new URL(confirmationUrl);
  const page = await get(`${confirm.pathname}${confirm.search}`);
  const charge = /name="charge" value="([^"]+)"/.exec(page)?.[1] ?? "";
  await get("/sandbox/confirm", { method: "POST", body: new URLSearchParams({ charge, decision: "approve" }) });
  await waitFor(async () => (await accountStatus(A)) === "active", 30_000, "shop A's account active");
  await api("GET", "/api/account", A);
  await api("PUT", "/api/tracking", A, { siteId: "123456" });
  const { url: loginUrl } = JSON.parse(await api("POST", "/api/login-link", A)) as { url: string };
  collected.loginTokens.push(new URL(loginUrl).searchParams.get("_token") ?? "");
  await api("POST", "/api/provisioning/retry", A);

  await api("GET", "/api/account", B);
  await webhook("orders/paid", B, orderPayload({ id: 1, email: "buyer@example.com", skus: ["MOUSESTATS-HEATMAPS"] }));
  await webhook("app_purchases_one_time/update", B, { app_purchase_one_time: { admin_graphql_api_id: "gid://shopify/AppPurchaseOneTime/1", status: "ACTIVE", name: "MouseStats Heatmaps" } });
  await waitFor(() => sim.accounts.has("buyer@example.com") && sim.accounts.has("scan-b@example.com"), 30_000, "shop B's accounts");
  await webhook("customers/data_request", B, { shop_domain: B, customer: { id: 1, email: "buyer@example.com" }, orders_requested: [1], data_request: { id: 2 } });
  await webhook("customers/redact", B, { shop_domain: B, customer: { id: 1, email: "buyer@example.com" }, orders_to_redact: [1] });
  await webhook("app_subscriptions/update", B, subscriptionPayload("CANCELLED", "gid://shopify/AppSubscription/404"));
  await webhook("app_subscriptions/update", B, subscriptionPayload("ACTIVE"), "wrong-secret");
  await webhook("app_subscriptions/update", B, { app_subscription: {} });
  await webhook("products/update", B, { id: 1 });

  for (const bad of [signToken(claimsFor(A, { aud: options.apiKey }), { secret: "wrong" }), "not-a-token", signToken(claimsFor(A, { aud: options.apiKey, exp: 1 }), { secret: options.apiSecret })]) {
    await get("/api/account", { headers: bearer(bad) });
  }
  for (const path of ["/metrics", "/healthz", "/readyz", "/nope", "/sandbox/confirm?charge=0", "/api/nope"]) await get(path);

  options.beforeUninstall();
  await webhook("app/uninstalled", A, { id: 1, myshopify_domain: A });
  await webhook("shop/redact", "scan-c.myshopify.com", { shop_domain: "scan-c.myshopify.com" });
  return collected;
}
