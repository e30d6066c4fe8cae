import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { waitFor } from "../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";
import { startClockedServer, type ClockedServer } from "./support/clocked-server.ts";
import { bearer } from "./support/tokens.ts";

describe("login links are rate limited per shop", () => {
  let clocked: ClockedServer;
  const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });
  const shops = ["limit-a.myshopify.com", "limit-b.myshopify.com"];
  const loginLink = (shop: string) => fetch(`${clocked.running.url}/api/login-link`, {
    method: "POST", headers: bearer(signer.sign({ shop, now: clocked.now() })),
  });
  const tokensIssued = () => clocked.running.simulator!.calls.filter((c) => c.op === "GenerateLoginToken").length;

  beforeAll(async () => {
    clocked = await startClockedServer();
    for (const shop of shops) await postWebhook(clocked.running.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    const { sqlite } = clocked.running.database;
    await waitFor(() => (sqlite.prepare("select count(*) n from accounts where status = 'active'").get() as { n: number }).n === 2, 10_000, "accounts");
  });
  afterAll(async () => { await clocked.close(); });

  it("answers the 11th request in a minute with 429 and Retry-After, without asking MouseStats", async () => {
    for (let i = 0; i < 10; i++) {
      const res = await loginLink(shops[0]!);
      expect(res.status, `request ${i + 1}`).toBe(200);
      expect((await res.json() as { url: string }).url).toContain("_token=");
    }
    const issued = tokensIssued();
    const limited = await loginLink(shops[0]!);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(await limited.json()).toMatchObject({ error: expect.any(String) });
    expect(tokensIssued()).toBe(issued);
  });

  it("keeps limiting however often the shop insists, and leaves other shops alone", async () => {
    for (let i = 0; i < 5; i++) expect((await loginLink(shops[0]!)).status).toBe(429);
    expect((await loginLink(shops[1]!)).status).toBe(200);
  });

  it("lets the shop in again once the minute is over", async () => {
    const limited = await loginLink(shops[0]!);
    clocked.advanceClock(Number(limited.headers.get("retry-after")) * 1000);
    expect((await loginLink(shops[0]!)).status).toBe(200);
  });
});
