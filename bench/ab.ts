/**
 * `npm run bench:ab -- <dir A> <dir B>`: webhook ingest and start-up of two checkouts of the app
 * (each a folder with src/start.js and its node_modules) in one run, to show what one change
 * is worth. Rounds rotate the bare baseline, A and B back to back, as in the ingest bench; the
 * fixed rate and start-up alternate A and B. Prints each figure for A and B and B ÷ A.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pinProcess, planCpus } from "./cpu-pinning.ts";
import { startLoadProcess } from "./load-process.ts";
import { coreBusyS, processStats, startAppProcess, startBareServer, warmAppCaches, type ServerProcess } from "./processes.ts";
import { BENCH_APP, productionEnv } from "./production-env.ts";
import { startBenchSimulator } from "./simulator-server.ts";
import { median } from "./stats.ts";

const [dirA, dirB] = process.argv.slice(2).map((d) => resolve(d));
if (!dirA || !dirB) throw new Error("usage: npm run bench:ab -- <checkout A> <checkout B>");
const rounds = Number(process.env.AB_ROUNDS ?? 7);
const measured = 30_000;
const rateCount = 5_000;
const connections = 50;
const cpus = planCpus();
pinProcess(process.pid, cpus.bench);
const dir = mkdtempSync(join(tmpdir(), "ms-bench-ab-"));
const simulator = await startBenchSimulator(0);
const load = startLoadProcess(cpus);
const servers: ServerProcess[] = [];
const extra = process.env.AB_ENV ? JSON.parse(process.env.AB_ENV) as { a?: Record<string, string>; b?: Record<string, string> } : {};
const envFor = (name: "a" | "b", databaseUrl: string) => productionEnv({ databaseUrl, mousestatsApiUrl: simulator.apiUrl, extra: extra[name] });

try {
  const warmup = 10_000;
  await load.build("events", { runId: "ab", count: 2 * warmup + 2 * rounds * (measured + rateCount), appSecret: BENCH_APP.apiSecret, host: "127.0.0.1" });
  let offset = 0;
  const take = (count: number) => ({ from: (offset += count) - count, count });
  const bare = await startBareServer(cpus.server);
  servers.push(bare);
  const start = (name: "a" | "b", appDir: string) => startAppProcess({ env: envFor(name, join(dir, `${name}.db`)), cpu: cpus.server, logFile: join(dir, `${name}.log`), appDir });
  for (const [name, appDir] of [["a", dirA], ["b", dirB]] as const) {
    await warmAppCaches({ env: envFor(name, join(dir, `${name}-warm-up.db`)), logFile: join(dir, `${name}.log`), appDir });
  }
  const a = await start("a", dirA);
  const b = await start("b", dirB);
  servers.push(a, b);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = { a: processStats(a.pid).rssMiB, b: processStats(b.pid).rssMiB };
  await load.run("events", { port: bare.port, connections }, { from: 0, count: warmup });
  await load.run("events", { port: a.port, connections }, take(warmup));
  await load.run("events", { port: b.port, connections }, take(warmup));

  const runOn = async (server: ServerProcess, slice: { from: number; count: number }, ratePerS?: number) => {
    const before = processStats(server.pid).cpuS;
    const coreBefore = coreBusyS(cpus.server);
    const result = await load.run("events", { port: server.port, connections: ratePerS ? 256 : connections, ratePerS }, slice);
    const seconds = result.elapsedMs / 1000;
    const cpu = (processStats(server.pid).cpuS - before) / seconds;
    // CPU per request: a neighbour that slows the machine moves it less than requests/s.
    return { rps: result.requestsPerS, cpuUs: cpu / result.requestsPerS * 1e6, p99: result.latencyMs.p99, other: (coreBusyS(cpus.server) - coreBefore) / seconds - cpu, non200: Object.entries(result.statuses).filter(([s]) => s !== "200").length };
  };
  const rows = { bare: [] as number[], a: [] as number[], b: [] as number[], ratioA: [] as number[], ratioB: [] as number[], bOverA: [] as number[], cpuA: [] as number[], cpuB: [] as number[], fixedA: [] as number[], fixedB: [] as number[], other: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    // Baseline events can repeat; A and B each get unique ones (different databases anyway).
    const sliceA = take(measured);
    const sliceB = take(measured);
    const order = [
      async () => { const r = await runOn(bare, sliceA); rows.bare.push(r.rps); rows.other.push(r.other); },
      async () => { const r = await runOn(a, sliceA); rows.a.push(r.rps); rows.cpuA.push(r.cpuUs); rows.other.push(r.other); },
      async () => { const r = await runOn(b, sliceB); rows.b.push(r.rps); rows.cpuB.push(r.cpuUs); rows.other.push(r.other); },
    ];
    for (let k = 0; k < 3; k++) await order[(round + k) % 3]!();
    rows.ratioA.push(rows.a[round]! / rows.bare[round]!);
    rows.ratioB.push(rows.b[round]! / rows.bare[round]!);
    rows.bOverA.push(rows.b[round]! / rows.a[round]!);
  }
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? "a" : "b";
    for (const name of first === "a" ? ["a", "b"] as const : ["b", "a"] as const) {
      const r = await runOn(name === "a" ? a : b, take(rateCount), 1000);
      (name === "a" ? rows.fixedA : rows.fixedB).push(r.p99);
    }
  }
  const peak = { a: processStats(a.pid).peakRssMiB, b: processStats(b.pid).peakRssMiB };
  await Promise.all(servers.map((s) => s.stop()));
  servers.length = 0;

  const startups = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < 8; i++) {
    for (const name of i % 2 === 0 ? ["a", "b"] as const : ["b", "a"] as const) {
      const databaseUrl = join(dir, `start-${name}-${i}.db`);
      const app = await startAppProcess({ env: envFor(name, databaseUrl), cpu: cpus.server, logFile: join(dir, "start.log"), appDir: name === "a" ? dirA : dirB });
      await app.stop();
      startups[name].push(app.startMs);
    }
  }

  const f = (v: number, d = 1) => v.toFixed(d);
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  console.log(`A = ${dirA}\nB = ${dirB}\n${rounds} rounds of ${measured} (closed loop, ${connections} connections), fixed 1,000 req/s rounds of ${rateCount}`);
  console.log(`ingest ratio to bare: A ${pct(median(rows.ratioA))} (${rows.ratioA.map(pct).join(" ")}), B ${pct(median(rows.ratioB))} (${rows.ratioB.map(pct).join(" ")})`);
  console.log(`B ÷ A throughput: median ${f(median(rows.bOverA), 3)} (${rows.bOverA.map((v) => f(v, 3)).join(" ")})`);
  console.log(`app CPU per request: A median ${f(median(rows.cpuA))} µs (${rows.cpuA.map((v) => f(v)).join(" ")}), B median ${f(median(rows.cpuB))} µs (${rows.cpuB.map((v) => f(v)).join(" ")}); B ÷ A ${f(median(rows.cpuB) / median(rows.cpuA), 3)}`);
  // Requests/s times CPU per request, round by round: how much of its core the app used. Below 100% it waited (on the disk, for one).
  const busy = (rps: number[], cpuUs: number[]) => pct(median(rps.map((r, i) => r * cpuUs[i]! / 1e6)));
  console.log(`req/s: bare ${f(median(rows.bare), 0)}, A ${f(median(rows.a), 0)}, B ${f(median(rows.b), 0)}; share of its core the app used: A ${busy(rows.a, rows.cpuA)}, B ${busy(rows.b, rows.cpuB)}`);
  console.log(`p99 at 1,000 req/s: A median ${f(median(rows.fixedA), 2)} ms (${rows.fixedA.map((v) => f(v, 2)).join(" ")}), B median ${f(median(rows.fixedB), 2)} ms (${rows.fixedB.map((v) => f(v, 2)).join(" ")})`);
  console.log(`RSS idle: A ${f(idle.a)} MiB, B ${f(idle.b)} MiB; peak: A ${f(peak.a)} MiB, B ${f(peak.b)} MiB`);
  console.log(`start-up median: A ${f(median(startups.a), 0)} ms, B ${f(median(startups.b), 0)} ms (A ${startups.a.map((v) => f(v, 0)).join(" ")}; B ${startups.b.map((v) => f(v, 0)).join(" ")})`);
  console.log(`other load on the server core: up to ${pct(Math.max(...rows.other))}`);
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  load.close();
  await simulator.close();
  rmSync(dir, { recursive: true, force: true });
}
