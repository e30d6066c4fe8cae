import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../logger.ts";
import { createWebhookSigner } from "../shopify/webhook-hmac.ts";
import type { InboxEntry, InboxOutcome, WebhookInbox } from "./webhook-inbox.ts";
import { createWebhookListener, MAX_WEBHOOK_BODY_BYTES, type WebhookOutcome } from "./webhook-route.ts";

/** The node:http listener the server answers `POST /webhooks` with, on a stub inbox. */
describe("webhook listener", () => {
  const signer = createWebhookSigner("listener-secret");
  let server: Server;
  let url: string;
  let store: (entry: InboxEntry) => Promise<InboxOutcome>;
  let outcomes: WebhookOutcome[];
  let answered: number[];

  beforeEach(async () => {
    outcomes = [];
    answered = [];
    store = async () => "accepted";
    const inbox: WebhookInbox = { accept: (entry, done) => void store(entry).then((outcome) => done(null, outcome), (err: unknown) => done(err)) };
    const listener = createWebhookListener({
      signer, inbox, rules: { addonSkus: [], billingPlanName: "MouseStats Heatmaps" }, logger: createSilentLogger(), onAccepted: () => {},
      onOutcome: (_topic, outcome) => outcomes.push(outcome), onResponse: (status) => answered.push(status),
    });
    server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string) => fetch(url, {
    method: "POST", body,
    headers: {
      "content-type": "application/json", "x-shopify-topic": "products/update", "x-shopify-shop-domain": "listener.myshopify.com",
      "x-shopify-api-version": "2026-10", "x-shopify-webhook-id": "wh-1", "x-shopify-hmac-sha256": signer.sign(body),
    },
  });

  it("answers 200 with no body once the inbox has stored the delivery", async () => {
    const res = await post(JSON.stringify({ id: 1 }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(outcomes).toEqual(["ignored"]);
    expect(answered).toEqual([200]);
  });

  it("answers 500 when the delivery could not be stored, so Shopify retries it", async () => {
    store = async () => { throw new Error("disk I/O error"); };
    const res = await post(JSON.stringify({ id: 2 }));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "internal error" });
    store = async () => "accepted";
    expect((await post(JSON.stringify({ id: 2 }))).status).toBe(200);
  });

  it("answers 413 from the declared length without reading the body, and closes the connection", async () => {
    const result = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { "content-length": String(MAX_WEBHOOK_BODY_BYTES + 1) } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
      });
      req.on("error", reject);
      req.write("{");
    });
    expect(result).toEqual({ status: 413, connection: "close" });
    expect(outcomes).toEqual(["too_large"]);
  });
});
