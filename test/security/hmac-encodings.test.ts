import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { buildWebhookRequest, subscriptionPayload } from "../helpers/webhook-request.ts";
import { rawRequest } from "./support/raw-http.ts";

const SECRET = "sandbox-api-secret";
const digest = (body: string | Buffer, secret = SECRET) => createHmac("sha256", secret).update(body).digest();

/** Ways to present the right digest (or a near miss) that a strict base64 check must refuse. */
const ENCODINGS: Array<[string, (body: string) => string[]]> = [
  ["hex", (b) => [digest(b).toString("hex")]],
  ["upper-case hex", (b) => [digest(b).toString("hex").toUpperCase()]],
  ["base64url", (b) => [digest(b).toString("base64url")]],
  ["base64 without padding", (b) => [digest(b).toString("base64").replace(/=+$/, "")]],
  ["base64 with extra padding", (b) => [`${digest(b).toString("base64")}=`]],
  ["base64 with padding moved inside", (b) => { const v = digest(b).toString("base64"); return [`${v.slice(0, 20)}=${v.slice(20, -1)}`]; }],
  ["base64 with a space inside", (b) => { const v = digest(b).toString("base64"); return [`${v.slice(0, 20)} ${v.slice(20)}`]; }],
  ["a 'sha256=' prefix", (b) => [`sha256=${digest(b).toString("base64")}`]],
  ["the digest of the body with a newline", (b) => [digest(`${b}\n`).toString("base64")]],
  ["the digest truncated to 16 bytes", (b) => [digest(b).subarray(0, 16).toString("base64")]],
  ["a 64-byte value starting with the digest", (b) => [Buffer.concat([digest(b), digest(b)]).toString("base64")]],
  ["the digest under the API key instead of the secret", (b) => [digest(b, "sandbox-api-key").toString("base64")]],
  ["the digest under an empty secret", (b) => [digest(b, "").toString("base64")]],
  ["SHA-256 of the body, no key", (b) => [createHmac("sha256", Buffer.alloc(0)).update(b).digest("base64")]],
  ["the header twice (right, wrong)", (b) => [digest(b).toString("base64"), digest("x").toString("base64")]],
  ["the header twice (wrong, right)", (b) => [digest("x").toString("base64"), digest(b).toString("base64")]],
  ["the header twice, both right", (b) => [digest(b).toString("base64"), digest(b).toString("base64")]],
  ["an empty header", () => [""]],
  ["no header at all", () => []],
];

describe("webhook HMAC encodings", () => {
  let server: TestServer;
  const count = (table: string) => (server.database.sqlite.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;

  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server.close(); });

  const send = (body: string, values: string[], extra: Array<[string, string]> = []) => {
    const { headers } = buildWebhookRequest({ topic: "app_subscriptions/update", shop: "hmac-shop.myshopify.com", body });
    delete headers["x-shopify-hmac-sha256"];
    return rawRequest(`${server.url}/webhooks`, { method: "POST", body, headers: [...Object.entries(headers), ...extra, ...values.map((v): [string, string] => ["x-shopify-hmac-sha256", v])] });
  };

  it.each(ENCODINGS)("refuses %s (401, nothing stored)", async (_name, encode) => {
    const body = JSON.stringify(subscriptionPayload("ACTIVE"));
    const res = await send(body, encode(body));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ error: "invalid HMAC" });
    expect(count("webhook_events")).toBe(0);
  });

  it("accepts the canonical base64 digest, with HTTP's optional whitespace around it and any header case", async () => {
    const body = JSON.stringify(subscriptionPayload("ACTIVE"));
    const { headers } = buildWebhookRequest({ topic: "app_subscriptions/update", shop: "hmac-shop.myshopify.com", body });
    const value = headers["x-shopify-hmac-sha256"]!;
    delete headers["x-shopify-hmac-sha256"];
    const res = await rawRequest(`${server.url}/webhooks`, { method: "POST", body, headers: [...Object.entries(headers), ["X-SHOPIFY-HMAC-SHA256", `  ${value}\t`]] });
    expect(res.status).toBe(200);
    expect(count("webhook_events")).toBe(1);
  });

  it("verifies the raw bytes, not a re-serialisation: the same JSON with other spacing or key order fails", async () => {
    const payload = subscriptionPayload("ACTIVE");
    const signedBody = JSON.stringify(payload);
    const signature = digest(signedBody).toString("base64");
    for (const variant of [JSON.stringify(payload, null, 2), JSON.stringify({ ...payload, z: undefined }) + " ", JSON.stringify(Object.fromEntries(Object.entries(payload).reverse()))]) {
      if (variant === signedBody) continue;
      expect((await send(variant, [signature])).status).toBe(401);
    }
    // Non-UTF-8 bytes are signed and checked as bytes too.
    const latin1 = Buffer.from(`{"app_subscription":{"admin_graphql_api_id":"gid://x/1","status":"ACTIVE","name":"caf\xe9"}}`, "latin1");
    const res = await rawRequest(`${server.url}/webhooks`, {
      method: "POST", body: latin1,
      headers: [...Object.entries(buildWebhookRequest({ topic: "app_subscriptions/update", shop: "hmac-shop.myshopify.com", body: "" }).headers)
        .filter(([k]) => k !== "x-shopify-hmac-sha256"), ["x-shopify-hmac-sha256", digest(latin1).toString("base64")]],
    });
    expect(res.status).toBe(400); // signed, but not UTF-8: malformed, never stored
    expect(count("webhook_events")).toBe(1);
  });
});
