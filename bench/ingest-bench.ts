import { join } from "node:path";
import Sqlite from "better-sqlite3";
import type { CpuPlan } from "./cpu-pinning.ts";
import type { LoadResult, LoadSpec } from "./load-generator.ts";
import { startLoadProcess } from "./load-process.ts";
import { coreBusyS, processStats, startAppProcess, startBareServer, type ServerProcess } from "./processes.ts";
import { BENCH_APP, productionEnv } from "./production-env.ts";

export interface IngestOptions {
  cpus: CpuPlan;
  dir: string;
  mousestatsApiUrl: string;
  connections?: number;
  warmup?: number;
  /** Requests per closed-loop round; baseline and app alternate for `rounds` rounds each. */
  measured?: number;
  rounds?: number;
  fixedRatePerS?: number;
  /** Requests per open-loop round at the fixed rate. */
  fixedRateRequests?: number;
}

export interface ServerRun extends LoadResult {
  /** Cores the server process used (1 = its core was fully busy). */
  serverCpu: number;
  /** Share of the server's core used by other processes and the kernel meanwhile: above a few % the machine was not quiet. */
  otherLoadOnServerCore: number;
  rssMiB: number;
  peakRssMiB: number;
}

export interface IngestResult {
  connections: number;
  /** Mean body size of the deliveries. */
  bodyBytes: number;
  /** The median round of each (by requests/s); all rounds are below. */
  baseline: ServerRun;
  app: ServerRun;
  /** Median over rounds of app ÷ baseline requests/s, each pair measured back to back. */
  ratio: number;
  roundRatios: number[];
  /** The round with the median p99. */
  fixedRate: ServerRun;
  baselineRounds: ServerRun[];
  appRounds: ServerRun[];
  fixedRateRounds: ServerRun[];
  /** Rows in webhook_events after the run: every 200 must be there. */
  storedEvents: number;
  answered200: number;
}

const medianBy = <T>(runs: T[], key: (r: T) => number): T => [...runs].sort((a, b) => key(a) - key(b))[runs.length >> 1]!;

/**
 * Webhook ingest: pre-signed unique `orders/paid` deliveries from a load generator on its own
 * core, against a bare node:http server (the baseline) and the app in production mode, in
 * alternating rounds so that a noisy neighbour hits both alike; then a fixed arrival rate.
 */
export async function benchIngest(options: IngestOptions): Promise<IngestResult> {
  const connections = options.connections ?? 50;
  const warmup = options.warmup ?? 10_000;
  const measured = options.measured ?? 30_000;
  const rounds = options.rounds ?? 5;
  const rate = options.fixedRatePerS ?? 1000;
  const rateCount = options.fixedRateRequests ?? 5000;
  const load = startLoadProcess(options.cpus);
  const databaseUrl = join(options.dir, "ingest.db");
  const servers: ServerProcess[] = [];
  try {
    const { bodyBytes } = await load.build("events", { runId: "ingest", count: warmup + rounds * (measured + rateCount), appSecret: BENCH_APP.apiSecret, host: "127.0.0.1" });
    let offset = 0;
    const take = (count: number) => ({ from: (offset += count) - count, count });
    const measure = async (server: ServerProcess, spec: LoadSpec, slice: { from: number; count: number }): Promise<ServerRun> => {
      const before = processStats(server.pid);
      const coreBefore = coreBusyS(options.cpus.server);
      const result = await load.run("events", spec, slice);
      const after = processStats(server.pid);
      const seconds = result.elapsedMs / 1000;
      const serverCpu = (after.cpuS - before.cpuS) / seconds;
      return {
        ...result, serverCpu, otherLoadOnServerCore: Math.max(0, (coreBusyS(options.cpus.server) - coreBefore) / seconds - serverCpu),
        rssMiB: after.rssMiB, peakRssMiB: after.peakRssMiB,
      };
    };

    const bare = await startBareServer(options.cpus.server);
    servers.push(bare);
    const app = await startAppProcess({
      env: productionEnv({ databaseUrl, mousestatsApiUrl: options.mousestatsApiUrl }),
      cpu: options.cpus.server, logFile: join(options.dir, "ingest-app.log"),
    });
    servers.push(app);
    // The baseline replays the app's warm-up events: it does not care, and the app never sees them twice.
    await load.run("events", { port: bare.port, connections }, { from: 0, count: warmup });
    const warm = await load.run("events", { port: app.port, connections }, take(warmup));
    const baselineRounds: ServerRun[] = [];
    const appRounds: ServerRun[] = [];
    const fixedRateRounds: ServerRun[] = [];
    for (let round = 0; round < rounds; round++) {
      const slice = take(measured);
      // Each round is a pair run back to back, in alternating order, so that drift in the
      // machine's speed (a neighbour's load comes and goes in seconds) hits both alike.
      const runBaseline = async () => baselineRounds.push(await measure(bare, { port: bare.port, connections }, slice));
      const runApp = async () => appRounds.push(await measure(app, { port: app.port, connections }, slice));
      if (round % 2 === 0) { await runBaseline(); await runApp(); } else { await runApp(); await runBaseline(); }
    }
    // A large pool: a server stall must queue requests at the server, not wait for a free socket here.
    for (let round = 0; round < rounds; round++) fixedRateRounds.push(await measure(app, { port: app.port, connections: 256, ratePerS: rate }, take(rateCount)));
    await Promise.all(servers.map((s) => s.stop()));

    const db = new Sqlite(databaseUrl, { readonly: true });
    const storedEvents = (db.prepare("select count(*) as n from webhook_events").get() as { n: number }).n;
    db.close();
    const baseline = medianBy(baselineRounds, (r) => r.requestsPerS);
    const appRun = medianBy(appRounds, (r) => r.requestsPerS);
    const roundRatios = appRounds.map((r, i) => r.requestsPerS / baselineRounds[i]!.requestsPerS);
    return {
      connections, bodyBytes, baseline, app: appRun, ratio: medianBy(roundRatios, (r) => r), roundRatios,
      fixedRate: medianBy(fixedRateRounds, (r) => r.latencyMs.p99), baselineRounds, appRounds, fixedRateRounds, storedEvents,
      answered200: [warm, ...appRounds, ...fixedRateRounds].reduce((n, r) => n + (r.statuses["200"] ?? 0), 0),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    load.close();
  }
}
