import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";
import { bearer, claimsFor, signToken } from "./support/tokens.ts";

const A = "shop-a.myshopify.com";
const B = "shop-b.myshopify.com";
const B_EMAIL = "shop-b@example.com";

describe("a session token speaks for its own shop only", () => {
  let server: TestServer;
  const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });
  const tokenFor = (shop: string) => signer.sign({ shop, now: Date.now() });
  const call = (method: string, path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method, headers: { ...bearer(token), ...headers } });
  const count = (sql: string, ...params: unknown[]) => (server.database.sqlite.prepare(`select count(*) n from ${sql}`).get(...params) as { n: number }).n;

  beforeAll(async () => {
    server = await startTestServer();
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop: B, body: subscriptionPayload("ACTIVE") });
    await waitFor(() => server.database.sqlite.prepare("select status from accounts where email = ?").get(B_EMAIL), 10_000, "B's account");
    await server.worker.idle();
  });
  afterAll(async () => { await server.close(); });

  it("shows shop A its own (empty) state whatever the request says about B", async () => {
    for (const [path, headers] of [
      ["/api/account", {}], [`/api/account?shop=${B}`, {}], ["/api/account", { "x-shopify-shop-domain": B }],
      [`/api/account?shop=${B}&dest=https://${B}`, { "x-forwarded-host": B, cookie: `shop=${B}` }],
    ] as Array<[string, Record<string, string>]>) {
      const res = await call("GET", path, tokenFor(A), headers);
      expect(res.status).toBe(200);
      const body = await res.json() as { shop: string; email: string | null; status: string };
      expect(body.shop).toBe(A);
      expect(body.status).toBe("none");
      expect(JSON.stringify(body)).not.toContain(B_EMAIL);
    }
    expect((await (await call("GET", "/api/account", tokenFor(B))).json() as { status: string }).status).toBe("active");
  });

  it("does not let shop A sign in to, retry or re-bill shop B's account", async () => {
    const loginA = await call("POST", `/api/login-link?shop=${B}`, tokenFor(A), { "x-shopify-shop-domain": B });
    expect(loginA.status).toBe(409);
    expect(await loginA.text()).not.toContain(B_EMAIL);
    expect((await call("POST", "/api/provisioning/retry", tokenFor(A))).status).toBe(409);
    const billing = await call("POST", `/api/billing/subscribe?shop=${B}`, tokenFor(A));
    expect(billing.status).toBe(200);
    const { confirmationUrl } = await billing.json() as { confirmationUrl: string };
    expect(confirmationUrl).not.toContain("shop-b");
    expect(server.simulator!.calls.filter((c) => c.op === "GenerateLoginToken")).toEqual([]);
  });

  it.each([
    ["dest A, iss B", claimsFor(A, { iss: `https://${B}/admin` })],
    ["dest B, iss A", claimsFor(B, { iss: `https://${A}/admin` })],
    ["iss without /admin", claimsFor(B, { iss: `https://${B}` })],
    ["iss with a trailing slash", claimsFor(B, { iss: `https://${B}/admin/` })],
    ["dest over http", claimsFor(B, { dest: `http://${B}`, iss: `http://${B}/admin` })],
    ["dest with a path", claimsFor(B, { dest: `https://${B}/x`, iss: `https://${B}/x/admin` })],
    ["another app's audience", claimsFor(B, { aud: "another-app" })],
    ["audience as an array", claimsFor(B, { aud: ["sandbox-api-key"] })],
    ["expired a minute ago", claimsFor(B, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ["not valid for a minute", claimsFor(B, { nbf: Math.floor(Date.now() / 1000) + 60 })],
    ["no exp", claimsFor(B, { exp: undefined })],
  ])("refuses a token with %s (401, no side effect)", async (_name, claims) => {
    const before = count("shopify_sessions");
    for (const [method, path] of [["GET", "/api/account"], ["POST", "/api/login-link"], ["POST", "/api/provisioning/retry"]]) {
      const res = await call(method!, path!, signToken(claims));
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain(B_EMAIL);
    }
    expect(count("shopify_sessions")).toBe(before);
  });

  it.each([
    ["signed with another secret", () => signToken(claimsFor(B), { secret: "someone-elses-secret" })],
    ["alg none", () => signToken(claimsFor(B), { header: { alg: "none", typ: "JWT" } }).replace(/\.[^.]+$/, ".")],
    ["alg HS512", () => signToken(claimsFor(B), { header: { alg: "HS512", typ: "JWT" } })],
    ["shop A's signature on shop B's claims", () => {
      const [h, , sig] = tokenFor(A).split(".");
      return `${h}.${signToken(claimsFor(B)).split(".")[1]}.${sig}`;
    }],
  ])("refuses a token %s", async (_name, make) => {
    expect((await call("GET", "/api/account", make())).status).toBe(401);
  });
});
