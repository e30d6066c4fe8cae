import { afterEach, expect, it } from "vitest";
import { METRIC_PREFIX } from "../../src/web/metrics.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";
import { describeEachBackend } from "../helpers/backends.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";

const REAL_SHOPIFY = { SHOPIFY_API_KEY: "metrics-key", SHOPIFY_API_SECRET: "metrics-secret", APP_ENCRYPTION_KEY: "cd".repeat(32) };
const TOKEN = "scrape-token-0123456789abcdef";

/** Sample lines (`name{labels} value`) of a Prometheus text page, comments left out. */
const samples = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
const valueOf = (text: string, series: string) => {
  const line = samples(text).find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describeEachBackend("/metrics and /readyz", (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it("counts MouseStats calls by operation and outcome and job attempts by kind, every name prefixed", async () => {
    server = await startTestServer(await backend.env());
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop: "counted.myshopify.com", body: subscriptionPayload("ACTIVE") });
    await waitFor(() => server!.count("accounts where email = 'counted@example.com' and status = 'active'"), 10_000);
    await server.worker.idle();

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(samples(text).filter((l) => !l.startsWith(METRIC_PREFIX))).toEqual([]);
    const p = METRIC_PREFIX;
    // GetAccount (absent: permission-denied), CreateAccount, GetAccount to confirm.
    expect(valueOf(text, `${p}mousestats_call_duration_seconds_count{operation="GetAccount",outcome="permission_denied"}`)).toBe(1);
    expect(valueOf(text, `${p}mousestats_call_duration_seconds_count{operation="CreateAccount",outcome="ok"}`)).toBe(1);
    expect(valueOf(text, `${p}mousestats_call_duration_seconds_count{operation="GetAccount",outcome="ok"}`)).toBe(1);
    expect(valueOf(text, `${p}job_attempts_total{kind="activate-shop",outcome="succeeded"}`)).toBe(1);
    expect(valueOf(text, `${p}job_attempts_total{kind="provision-account",outcome="succeeded"}`)).toBe(1);
    expect(valueOf(text, `${p}webhooks_received_total{topic="app_subscriptions/update",outcome="accepted"}`)).toBe(1);
    expect(valueOf(text, `${p}accounts{status="active"}`)).toBe(1);
    expect(text).toContain(`${p}process_cpu_seconds_total`);
  });

  it("counts failed attempts and a job that failed for good", { timeout: 40_000 }, async () => {
    server = await startTestServer(await backend.env());
    server.simulator!.faults.errorRate = 1;
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop: "doomed.myshopify.com", body: subscriptionPayload("ACTIVE") });
    const failed = await waitFor(async () => (await server!.queue.list({ failed: true })).find((j) => j.kind === "provision-account" && j.status === "failed"), 30_000, "job failed");
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const attempts = { attempts: Number(failed.attempts.split("/")[0]) };
    expect(attempts.attempts).toBe(12);
    expect(valueOf(text, `${METRIC_PREFIX}job_attempts_total{kind="provision-account",outcome="error"}`)).toBe(attempts.attempts);
    expect(valueOf(text, `${METRIC_PREFIX}job_failures_total{kind="provision-account"}`)).toBe(1);
    // Each attempt retries its GetAccount once at once (provision-account.ts).
    expect(valueOf(text, `${METRIC_PREFIX}mousestats_call_duration_seconds_count{operation="GetAccount",outcome="http_error"}`)).toBe(2 * attempts.attempts);
  });

  it("reports the database and the queue in /readyz, and the queue's depth and age in /metrics", async () => {
    server = await startTestServer(await backend.env());
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ ready: true, database: true, queue: true, backend: backend.name });
    const before = await (await fetch(`${server.url}/metrics`)).text();
    expect(valueOf(before, `${METRIC_PREFIX}job_oldest_due_age_seconds`)).toBe(0);
    // With the worker stopped, a job due 30 s ago waits: one pending, 30 s old.
    await server.worker.stop();
    await server.queue.enqueue("provision-account", { email: "waiting@example.com" }, { runAtMs: Date.now() - 30_000 });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(valueOf(text, `${METRIC_PREFIX}jobs{kind="provision-account",status="pending"}`)).toBe(1);
    const ageS = valueOf(text, `${METRIC_PREFIX}job_oldest_due_age_seconds`)!;
    expect(ageS).toBeGreaterThanOrEqual(29);
    expect(ageS).toBeLessThan(60);
  });

  it("answers 404 outside sandbox mode when METRICS_TOKEN is unset", async () => {
    server = await startTestServer({ ...await backend.env(), ...REAL_SHOPIFY });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it("serves only the bearer token when METRICS_TOKEN is set", async () => {
    server = await startTestServer({ ...await backend.env(), ...REAL_SHOPIFY, METRICS_TOKEN: TOKEN });
    const refused = await fetch(`${server.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    expect(await refused.text()).not.toContain(TOKEN);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    const served = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(served.status).toBe(200);
    expect(await served.text()).toContain(`${METRIC_PREFIX}webhooks_received_total`);
  });
});
