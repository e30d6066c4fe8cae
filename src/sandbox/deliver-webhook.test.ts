import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookSigner } from "../shopify/webhook-hmac.ts";
import { createWebhookDeliverer, WebhookDeliveryError } from "./deliver-webhook.ts";

const SECRET = "sandbox-api-secret";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Received { method: string; url: string; headers: IncomingHttpHeaders; body: string; hmacValid: boolean }

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback app that checks the HMAC like the real webhook route and answers `status`. */
async function startApp(status = 200): Promise<{ baseUrl: string; received: Received[] }> {
  const verifier = createWebhookSigner(SECRET);
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const hmac = req.headers["x-shopify-hmac-sha256"];
      received.push({
        method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: raw.toString("utf8"),
        hmacValid: verifier.verify(raw, typeof hmac === "string" ? hmac : undefined),
      });
      res.statusCode = status;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { baseUrl: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, received };
}

describe("createWebhookDeliverer", () => {
  it("posts a signed webhook with Shopify's headers", async () => {
    const { baseUrl, received } = await startApp();
    const deliver = createWebhookDeliverer({ baseUrl: `${baseUrl}/`, signer: createWebhookSigner(SECRET), now: () => Date.UTC(2026, 10, 27, 8, 0, 0) });
    const payload = { app_subscription: { status: "ACTIVE", name: "MouseStats Heatmaps ✓" } };
    await deliver("app_subscriptions/update", "demo-shop.myshopify.com", payload);

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: "POST", url: "/webhooks", hmacValid: true });
    expect(JSON.parse(request!.body)).toEqual(payload);
    expect(request!.headers).toMatchObject({
      "content-type": "application/json",
      "x-shopify-topic": "app_subscriptions/update",
      "x-shopify-shop-domain": "demo-shop.myshopify.com",
      "x-shopify-api-version": "2026-10",
      "x-shopify-triggered-at": "2026-11-27T08:00:00.000Z",
    });
    expect(request!.headers["x-shopify-webhook-id"]).toMatch(UUID);
    expect(request!.headers["x-shopify-event-id"]).toMatch(UUID);
  });

  it("uses fresh ids for every delivery", async () => {
    const { baseUrl, received } = await startApp();
    const deliver = createWebhookDeliverer({ baseUrl, signer: createWebhookSigner(SECRET) });
    await deliver("app/uninstalled", "a.myshopify.com", {});
    await deliver("app/uninstalled", "a.myshopify.com", {});
    expect(received[0]!.headers["x-shopify-webhook-id"]).not.toBe(received[1]!.headers["x-shopify-webhook-id"]);
    expect(received[0]!.headers["x-shopify-event-id"]).not.toBe(received[1]!.headers["x-shopify-event-id"]);
  });

  it("is refused by the app when signed with another secret", async () => {
    const { baseUrl, received } = await startApp();
    await createWebhookDeliverer({ baseUrl, signer: createWebhookSigner("wrong") })("app/uninstalled", "a.myshopify.com", {});
    expect(received[0]?.hmacValid).toBe(false);
  });

  it("throws WebhookDeliveryError with the status when the app refuses", async () => {
    const { baseUrl } = await startApp(401);
    const err = await createWebhookDeliverer({ baseUrl, signer: createWebhookSigner(SECRET) })("app/uninstalled", "a.myshopify.com", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookDeliveryError);
    expect(err).toMatchObject({ status: 401 });
  });

  it("throws WebhookDeliveryError without a status when nothing listens", async () => {
    const { baseUrl } = await startApp();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const err = await createWebhookDeliverer({ baseUrl, signer: createWebhookSigner(SECRET) })("app/uninstalled", "a.myshopify.com", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookDeliveryError);
    expect(err).toMatchObject({ status: null });
  });
});
