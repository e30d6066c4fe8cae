/**
 * `npm run bench`: webhook ingest, provisioning throughput, login link, start-up and page, in one
 * run on this machine. Prints a table and writes bench/results.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus as listCpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pinProcess, planCpus } from "./cpu-pinning.ts";
import { createHttpTimer } from "./http-timer.ts";
import { benchIngest } from "./ingest-bench.ts";
import { benchIngestPostgres } from "./ingest-postgres.ts";
import { benchLoginLink } from "./login-link-bench.ts";
import { benchPage } from "./page-bench.ts";
import { startAppProcess } from "./processes.ts";
import { productionEnv } from "./production-env.ts";
import { benchProvisioning } from "./provisioning-bench.ts";
import { noiseWarnings, renderReport, targetsOf, type BenchResults } from "./report.ts";
import { seedShops } from "./seed-shops.ts";
import { startBenchSimulator } from "./simulator-server.ts";
import { benchStartup } from "./startup-bench.ts";

const RESULTS = fileURLToPath(new URL("./results.json", import.meta.url));
const started = performance.now();
const cpus = planCpus();
pinProcess(process.pid, cpus.bench);
const dir = mkdtempSync(join(tmpdir(), "ms-bench-"));
const step = (what: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${what}\n`);
const loadAverageBefore = loadavg().map((v) => Number(v.toFixed(2)));
const simulator = await startBenchSimulator(0);

try {
  step("1/5 webhook ingest: bare node:http baseline, then the app");
  const ingest = await benchIngest({ cpus, dir, mousestatsApiUrl: simulator.apiUrl });
  step("1/5 webhook ingest on PostgreSQL: one app instance, then two");
  const ingestPostgres = await benchIngestPostgres({ cpus, dir, mousestatsApiUrl: simulator.apiUrl });

  step("2/5 provisioning: 800 add-on orders at 100 ms MouseStats latency");
  simulator.sim.faults.latencyMs = 100;
  const provisioning = await benchProvisioning({ cpus, dir, simulator });
  simulator.sim.faults.latencyMs = 0;

  step("3/5 login link and 5/5 page, on shops seeded as installed with active accounts");
  const shops = 600;
  const databaseUrl = join(dir, "embedded.db");
  await seedShops(databaseUrl, shops, simulator.sim);
  const app = await startAppProcess({ env: productionEnv({ databaseUrl, mousestatsApiUrl: simulator.apiUrl }), cpu: cpus.server, logFile: join(dir, "embedded-app.log") });
  const http = createHttpTimer(app.url);
  let loginLink, page;
  try {
    loginLink = await benchLoginLink({ http, simulator, firstShop: 0 });
    page = await benchPage({ http, shops });
  } finally {
    await http.close();
    await app.stop();
  }

  step("4/5 start-up, 10 times");
  const startup = await benchStartup({ cpus, dir, mousestatsApiUrl: simulator.apiUrl });

  const measured = { ingest, ingestPostgres, provisioning, loginLink, startup, page };
  const run = {
    machine: { node: process.versions.node, cores: listCpus().length, pinning: cpus.description, loadAverageBefore, loadAverageAfter: loadavg().map((v) => Number(v.toFixed(2))) },
    ...measured,
    targets: targetsOf(measured),
    elapsedS: (performance.now() - started) / 1000,
  };
  const results: BenchResults = { ...run, noise: noiseWarnings(run) };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${renderReport(results)}\n`);
} finally {
  await simulator.close();
  rmSync(dir, { recursive: true, force: true });
}
