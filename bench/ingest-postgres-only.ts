/**
 * `npm run bench:postgres`: only the PostgreSQL rows of `npm run bench`'s webhook ingest (one
 * app instance and two, each against bare node:http in the same run), printed as there.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pinProcess, planCpus } from "./cpu-pinning.ts";
import { benchIngestPostgres, renderPostgresIngest } from "./ingest-postgres.ts";
import { startBenchSimulator } from "./simulator-server.ts";

const cpus = planCpus();
pinProcess(process.pid, cpus.bench);
const dir = mkdtempSync(join(tmpdir(), "ms-bench-pg-"));
const simulator = await startBenchSimulator(0);
try {
  const result = await benchIngestPostgres({ cpus, dir, mousestatsApiUrl: simulator.apiUrl });
  process.stdout.write(`Webhook ingest on PostgreSQL; ${cpus.description}\n${renderPostgresIngest(result).join("\n")}\n`);
} finally {
  await simulator.close();
  rmSync(dir, { recursive: true, force: true });
}
