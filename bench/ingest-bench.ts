import { join } from "node:path";
import Sqlite from "better-sqlite3";
import type { CpuPlan } from "./cpu-pinning.ts";
import type { LoadResult, LoadSpec } from "./load-generator.ts";
import { startLoadProcess } from "./load-process.ts";
import { coreBusyS, processStats, startAppProcess, startBareServer, startPeerServer, warmAppCaches, type ServerProcess } from "./processes.ts";
import { BENCH_APP, productionEnv } from "./production-env.ts";
import { medianBy } from "./stats.ts";

export interface IngestOptions {
  cpus: CpuPlan;
  dir: string;
  mousestatsApiUrl: string;
  connections?: number;
  warmup?: number;
  /** Requests per closed-loop round; baseline, app and peer take turns for `rounds` rounds each. */
  measured?: number;
  rounds?: number;
  fixedRatePerS?: number;
  /** Requests per open-loop round at the fixed rate. */
  fixedRateRequests?: number;
  /** Requests per closed-loop round of the official stack (it is about a tenth as fast). */
  peerMeasured?: number;
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
  /**
   * The same app with `SQLITE_SYNCHRONOUS=NORMAL` (the WAL synced at checkpoints, not at each
   * commit): what durability against power loss costs. Its median round, ratio and rounds.
   */
  normal: ServerRun;
  normalRatio: number;
  normalRounds: ServerRun[];
  /** The round with the median p99. */
  fixedRate: ServerRun;
  baselineRounds: ServerRun[];
  appRounds: ServerRun[];
  fixedRateRounds: ServerRun[];
  /** The official stack (peer/official-stack.ts): its median round of each kind, and every round. */
  peer: ServerRun;
  peerFixedRate: ServerRun;
  peerRounds: ServerRun[];
  peerFixedRateRounds: ServerRun[];
  /** Median over rounds of app ÷ official requests/s, each measured within the same round. */
  peerRatio: number;
  /** RSS a second after start-up, before any request, and the peak over the whole run (MiB). */
  memory: { appIdleMiB: number; appPeakMiB: number; peerIdleMiB: number; peerPeakMiB: number };
  /** Rows in webhook_events after the run: every 200 must be there. */
  storedEvents: number;
  answered200: number;
}

/**
 * Webhook ingest: pre-signed unique `orders/paid` deliveries from a load generator on its own
 * core, against a bare node:http server (the baseline), the app in production mode and the
 * official stack (the peer), in rotating rounds so that a noisy neighbour hits them alike; then a
 * fixed arrival rate on the app and the peer.
 */
export async function benchIngest(options: IngestOptions): Promise<IngestResult> {
  const connections = options.connections ?? 50;
  const warmup = options.warmup ?? 10_000;
  const measured = options.measured ?? 30_000;
  const rounds = options.rounds ?? 5;
  const rate = options.fixedRatePerS ?? 1000;
  const rateCount = options.fixedRateRequests ?? 5000;
  const peerMeasured = options.peerMeasured ?? 6000;
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

    await warmAppCaches({ env: productionEnv({ databaseUrl: join(options.dir, "ingest-warm-up.db"), mousestatsApiUrl: options.mousestatsApiUrl }), logFile: join(options.dir, "ingest-app.log") });
    const bare = await startBareServer(options.cpus.server);
    servers.push(bare);
    const app = await startAppProcess({
      env: productionEnv({ databaseUrl, mousestatsApiUrl: options.mousestatsApiUrl }),
      cpu: options.cpus.server, logFile: join(options.dir, "ingest-app.log"),
    });
    servers.push(app);
    const appNormal = await startAppProcess({
      env: productionEnv({ databaseUrl: join(options.dir, "ingest-normal.db"), mousestatsApiUrl: options.mousestatsApiUrl, extra: { SQLITE_SYNCHRONOUS: "NORMAL" } }),
      cpu: options.cpus.server, logFile: join(options.dir, "ingest-app-normal.log"),
    });
    servers.push(appNormal);
    // The official stack as durable as the app's default (FULL).
    const peer = await startPeerServer({ cpu: options.cpus.server, databaseFile: join(options.dir, "ingest-official.db"), synchronous: "FULL", logFile: join(options.dir, "ingest-official.log") });
    servers.push(peer);
    await new Promise((r) => setTimeout(r, 1000));
    const appIdleMiB = processStats(app.pid).rssMiB;
    const peerIdleMiB = processStats(peer.pid).rssMiB;
    // The baseline and the official stack replay the app's events: they do not dedupe, and the app never sees an event twice.
    await load.run("events", { port: bare.port, connections }, { from: 0, count: warmup });
    await load.run("events", { port: peer.port, connections }, { from: 0, count: warmup / 5 });
    const warm = await load.run("events", { port: app.port, connections }, take(warmup));
    // Its own database: the same events as the app's, so both store alike.
    await load.run("events", { port: appNormal.port, connections }, { from: 0, count: warmup });
    const baselineRounds: ServerRun[] = [];
    const appRounds: ServerRun[] = [];
    const normalRounds: ServerRun[] = [];
    const peerRounds: ServerRun[] = [];
    const fixedRateRounds: ServerRun[] = [];
    const peerFixedRateRounds: ServerRun[] = [];
    for (let round = 0; round < rounds; round++) {
      const slice = take(measured);
      // Each round runs the four back to back, in an order that rotates, so that drift in the
      // machine's speed (a neighbour's load comes and goes in seconds) hits them alike.
      const runs = [
        async () => baselineRounds.push(await measure(bare, { port: bare.port, connections }, slice)),
        async () => appRounds.push(await measure(app, { port: app.port, connections }, slice)),
        async () => normalRounds.push(await measure(appNormal, { port: appNormal.port, connections }, slice)),
        async () => peerRounds.push(await measure(peer, { port: peer.port, connections }, { from: slice.from, count: peerMeasured })),
      ];
      for (let k = 0; k < runs.length; k++) await runs[(round + k) % runs.length]!();
    }
    // A large pool: a server stall must queue requests at the server, not wait for a free socket here.
    for (let round = 0; round < rounds; round++) {
      const slice = take(rateCount);
      fixedRateRounds.push(await measure(app, { port: app.port, connections: 256, ratePerS: rate }, slice));
      peerFixedRateRounds.push(await measure(peer, { port: peer.port, connections: 256, ratePerS: rate }, slice));
    }
    const appPeakMiB = processStats(app.pid).peakRssMiB;
    const peerPeakMiB = processStats(peer.pid).peakRssMiB;
    await Promise.all(servers.map((s) => s.stop()));

    const db = new Sqlite(databaseUrl, { readonly: true });
    const storedEvents = (db.prepare("select count(*) as n from webhook_events").get() as { n: number }).n;
    db.close();
    const baseline = medianBy(baselineRounds, (r) => r.requestsPerS);
    const appRun = medianBy(appRounds, (r) => r.requestsPerS);
    const roundRatios = appRounds.map((r, i) => r.requestsPerS / baselineRounds[i]!.requestsPerS);
    const normalRatios = normalRounds.map((r, i) => r.requestsPerS / baselineRounds[i]!.requestsPerS);
    const peerRatios = appRounds.map((r, i) => r.requestsPerS / peerRounds[i]!.requestsPerS);
    return {
      connections, bodyBytes, baseline, app: appRun, ratio: medianBy(roundRatios, (r) => r), roundRatios,
      normal: medianBy(normalRounds, (r) => r.requestsPerS), normalRatio: medianBy(normalRatios, (r) => r), normalRounds,
      fixedRate: medianBy(fixedRateRounds, (r) => r.latencyMs.p99), baselineRounds, appRounds, fixedRateRounds, storedEvents,
      peer: medianBy(peerRounds, (r) => r.requestsPerS), peerFixedRate: medianBy(peerFixedRateRounds, (r) => r.latencyMs.p99),
      peerRounds, peerFixedRateRounds, peerRatio: medianBy(peerRatios, (r) => r),
      memory: { appIdleMiB, appPeakMiB, peerIdleMiB, peerPeakMiB },
      answered200: [warm, ...appRounds, ...fixedRateRounds].reduce((n, r) => n + (r.statuses["200"] ?? 0), 0),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    load.close();
  }
}
