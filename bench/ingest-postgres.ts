import { join } from "node:path";
import pg from "pg";
import { findPostgresBinaries, startThrowawayPostgres } from "../scripts/postgres/throwaway-postgres.ts";
import { pinProcess } from "./cpu-pinning.ts";
import type { IngestOptions } from "./ingest-bench.ts";
import type { LoadResult, LoadSpec } from "./load-generator.ts";
import { startLoadProcess } from "./load-process.ts";
import { startAppProcess, startBareServer, type ServerProcess } from "./processes.ts";
import { BENCH_APP, productionEnv } from "./production-env.ts";
import { median, medianBy } from "./stats.ts";

/** As the SQLite ingest bench's, without the official stack. */
export type PostgresIngestOptions = Omit<IngestOptions, "peerMeasured">;

export interface PostgresIngestRun {
  instances: number;
  /** The median round (by requests/s) of the closed loop. */
  app: LoadResult;
  /** The same-run bare node:http round paired with each app round. */
  baselineRounds: LoadResult[];
  appRounds: LoadResult[];
  /** Median over rounds of app ÷ bare requests/s, each pair back to back. */
  ratio: number;
  /** The fixed-rate round with the median p99. */
  fixedRate: LoadResult;
  fixedRateRounds: LoadResult[];
  storedEvents: number;
  answered200: number;
  otherAnswers: number;
}

export type PostgresIngestResult =
  | { skipped: string }
  | { connections: number; bodyBytes: number; baseline: LoadResult; runs: PostgresIngestRun[] };

/**
 * Webhook ingest on PostgreSQL, measured as the SQLite ingest is (ingest-bench.ts): the same
 * load generator and pre-signed unique `orders/paid` deliveries, closed loop against the app in
 * production mode and against bare node:http in back-to-back pairs, then a fixed arrival rate.
 * Once with one app instance, once with two on the same database (the load generator spreads its
 * connections over both, as a load balancer would). PostgreSQL is a throwaway server (fsync off,
 * as in the tests: this measures the app, not the disk) pinned with the app processes to the
 * server core, so the app's side gets the one core the bare server gets.
 */
export async function benchIngestPostgres(options: PostgresIngestOptions): Promise<PostgresIngestResult> {
  if (!findPostgresBinaries()) return { skipped: "PostgreSQL is not installed (apt-get install postgresql)" };
  const connections = options.connections ?? 50;
  const warmup = options.warmup ?? 5000;
  const measured = options.measured ?? 20_000;
  const rounds = options.rounds ?? 3;
  const rate = options.fixedRatePerS ?? 1000;
  const rateCount = options.fixedRateRequests ?? 5000;
  const configs = [1, 2];
  const server = await startThrowawayPostgres();
  pinProcess(server.pid, options.cpus.server);
  const load = startLoadProcess(options.cpus);
  const servers: ServerProcess[] = [];
  try {
    const perConfig = warmup + rounds * (measured + rateCount);
    const { bodyBytes } = await load.build("pg-events", { runId: "ingest-pg", count: perConfig * configs.length, appSecret: BENCH_APP.apiSecret, host: "127.0.0.1" });
    let offset = 0;
    const take = (count: number) => ({ from: (offset += count) - count, count });
    const bare = await startBareServer(options.cpus.server);
    servers.push(bare);
    await load.run("pg-events", { port: bare.port, connections }, { from: 0, count: warmup });
    const allBaselines: LoadResult[] = [];
    const runs: PostgresIngestRun[] = [];
    for (const instances of configs) {
      const databaseUrl = await server.createDatabase(`ingest_${instances}`);
      const apps: ServerProcess[] = [];
      // One after the other: the first migrates, the next finds the schema ready.
      for (let i = 0; i < instances; i++) {
        apps.push(await startAppProcess({
          env: productionEnv({ databaseUrl, mousestatsApiUrl: options.mousestatsApiUrl }),
          cpu: options.cpus.server, logFile: join(options.dir, `ingest-pg-${instances}-${i + 1}.log`),
        }));
      }
      servers.push(...apps);
      const spec = (extra: Partial<LoadSpec> = {}): LoadSpec => ({ port: apps[0]!.port, ports: apps.map((a) => a.port), connections, ...extra });
      const warm = await load.run("pg-events", spec(), take(warmup));
      const baselineRounds: LoadResult[] = [];
      const appRounds: LoadResult[] = [];
      for (let round = 0; round < rounds; round++) {
        const slice = take(measured);
        const pair = [
          async () => baselineRounds.push(await load.run("pg-events", { port: bare.port, connections }, slice)),
          async () => appRounds.push(await load.run("pg-events", spec(), slice)),
        ];
        for (let k = 0; k < pair.length; k++) await pair[(round + k) % pair.length]!();
      }
      const fixedRateRounds: LoadResult[] = [];
      for (let round = 0; round < rounds; round++) fixedRateRounds.push(await load.run("pg-events", spec({ connections: 256, ratePerS: rate }), take(rateCount)));
      await Promise.all(apps.map((a) => a.stop()));
      const storedEvents = await countEvents(databaseUrl);
      const answered = [warm, ...appRounds, ...fixedRateRounds];
      allBaselines.push(...baselineRounds);
      runs.push({
        instances, app: medianBy(appRounds, (r) => r.requestsPerS), baselineRounds, appRounds,
        ratio: median(appRounds.map((r, i) => r.requestsPerS / baselineRounds[i]!.requestsPerS)),
        fixedRate: medianBy(fixedRateRounds, (r) => r.latencyMs.p99), fixedRateRounds, storedEvents,
        answered200: answered.reduce((n, r) => n + (r.statuses["200"] ?? 0), 0),
        otherAnswers: answered.reduce((n, r) => n + Object.entries(r.statuses).reduce((k, [status, count]) => k + (status === "200" ? 0 : count), 0), 0),
      });
    }
    return { connections, bodyBytes, baseline: medianBy(allBaselines, (r) => r.requestsPerS), runs };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    load.close();
    await server.stop();
  }
}

async function countEvents(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("select count(*) as n from webhook_events");
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

const n = (v: number, digits = 0) => v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (v: number) => (v < 10 ? n(v, 2) : n(v, 1));
const pct = (v: number) => `${n(v * 100, 1)}%`;

/** The PostgreSQL rows of `npm run bench`'s ingest section. */
export function renderPostgresIngest(r: PostgresIngestResult | undefined): string[] {
  if (!r) return [];
  if ("skipped" in r) return ["", `   PostgreSQL ingest: SKIPPED (${r.skipped})`];
  return [
    "",
    `   on PostgreSQL (throwaway server on the app's core, graphile-worker; ${r.connections} connections spread over the instances), rounds paired with bare node:http:`,
    "                                       req/s  ratio to bare  p99 ms closed  p99 ms at fixed rate  stored / 200s",
    ...r.runs.map((x) => `  app, PostgreSQL, ${x.instances} instance${x.instances === 1 ? " " : "s"}      ${n(x.app.requestsPerS).padStart(7)}  ${pct(x.ratio).padStart(13)}`
      + `  ${ms(x.app.latencyMs.p99).padStart(13)}  ${`${ms(x.fixedRate.latencyMs.p99)} at ${n(x.fixedRate.requestsPerS)}/s`.padStart(20)}`
      + `  ${n(x.storedEvents)} / ${n(x.answered200)}${x.otherAnswers ? `, ${n(x.otherAnswers)} other answers` : ""}`),
    ...r.runs.map((x) => `   ${x.instances} instance(s) by round: app ${x.appRounds.map((y) => n(y.requestsPerS)).join(" / ")}, bare ${x.baselineRounds.map((y) => n(y.requestsPerS)).join(" / ")} req/s;`
      + ` fixed-rate p99 ${x.fixedRateRounds.map((y) => ms(y.latencyMs.p99)).join(" / ")} ms`),
  ];
}
