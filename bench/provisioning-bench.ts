import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { createWebhookSigner } from "../src/shopify/webhook-hmac.ts";
import type { CpuPlan } from "./cpu-pinning.ts";
import { startAppProcess } from "./processes.ts";
import { BENCH_APP, productionEnv } from "./production-env.ts";
import type { BenchSimulator } from "./simulator-server.ts";
import { summarize, type LatencySummary } from "./stats.ts";
import { signedOrderWebhook } from "./webhook-events.ts";

export interface ProvisioningResult {
  orders: number;
  /** Accounts active when measuring stopped: all of them, unless the time limit ran out first. */
  activeAccounts: number;
  latencyMs: number;
  /** Most MouseStats calls the app had in flight at once: its worker concurrency. */
  concurrency: number;
  /** MouseStats calls per account, as the simulator counted them. */
  callsPerAccount: number;
  accountsPerS: number;
  /** concurrency ÷ (calls per account × latency). */
  theoreticalPerS: number;
  ratio: number;
  /** From sending the order's webhook to the account being active in the app's database. */
  webhookToActiveMs: LatencySummary;
  elapsedS: number;
}

/**
 * Provisioning throughput: `orders` paid orders with the add-on SKU (one new email each) are
 * delivered as fast as the app takes them; MouseStats answers after `latencyMs`. Measures how
 * fast accounts become active against what the worker's concurrency allows at that latency.
 */
export async function benchProvisioning(options: { cpus: CpuPlan; dir: string; simulator: BenchSimulator; orders?: number; timeLimitMs?: number }): Promise<ProvisioningResult> {
  const { simulator } = options;
  // 800, not the 2,000: at the default concurrency of 4 and 100 ms per call, 2,000 take
  // 150 s alone and the whole bench must stay under 3 minutes; the ratio does not depend on the count.
  const orders = options.orders ?? 800;
  const latencyMs = simulator.sim.faults.latencyMs as number;
  const databaseUrl = join(options.dir, "provisioning.db");
  const app = await startAppProcess({
    env: productionEnv({ databaseUrl, mousestatsApiUrl: simulator.apiUrl }),
    cpu: options.cpus.server, logFile: join(options.dir, "provisioning-app.log"),
  });
  const signer = createWebhookSigner(BENCH_APP.apiSecret);
  const spec = { runId: "provision", count: orders, appSecret: BENCH_APP.apiSecret, host: "", sku: BENCH_APP.addonSku };
  const webhooks = Array.from({ length: orders }, (_, i) => signedOrderWebhook(spec, i, (body) => signer.sign(body)));
  const sentAt = new Map<string, number>();
  const db = new Sqlite(databaseUrl, { readonly: true });
  try {
    simulator.resetCounters();
    const started = Date.now();
    let next = 0;
    // Shopify delivers with some concurrency; 16 senders keep the inbox busy without a flood.
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < orders) {
        const i = next++;
        const { body, headers } = webhooks[i]!;
        sentAt.set(`buyer-provision-${i}@example.com`, Date.now());
        const res = await fetch(`${app.url}/webhooks`, { method: "POST", body, headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`webhook ${i} answered ${res.status}`);
      }
    }));
    const active = db.prepare("select email, usage_checked_at as at from accounts where status = 'active'");
    const count = db.prepare("select count(*) as n from accounts where status = 'active'");
    // Keeps `npm run bench` within its 3 minutes on a slow or busy machine; the table says so.
    const deadline = started + (options.timeLimitMs ?? 75_000);
    while ((count.get() as { n: number }).n < orders && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const rows = active.all() as { email: string; at: number }[];
    const doneAt = rows.length === orders ? Math.max(...rows.map((r) => r.at)) : Date.now();
    const elapsedS = (doneAt - started) / 1000;
    const activeEmails = new Set(rows.map((r) => r.email));
    const apiCalls = simulator.timings.filter((t) => t.op !== "doLogin" && activeEmails.has(t.email.toLowerCase())).length;
    const concurrency = simulator.maxInFlight;
    const callsPerAccount = apiCalls / Math.max(1, rows.length);
    const theoreticalPerS = concurrency / (callsPerAccount * (latencyMs / 1000));
    const accountsPerS = rows.length / elapsedS;
    return {
      orders, activeAccounts: rows.length, latencyMs, concurrency, callsPerAccount, accountsPerS, theoreticalPerS, ratio: accountsPerS / theoreticalPerS,
      webhookToActiveMs: summarize(rows.map((r) => r.at - sentAt.get(r.email)!)), elapsedS,
    };
  } finally {
    db.close();
    await app.stop();
  }
}
