/**
 * `npm run soak [-- --webhooks N --shops N --rate N --crashes N --seed N --error-rate R --statuses S,S --database sqlite|postgres --instances N]`
 * The real server as a child process (or N of them on one throwaway PostgreSQL, webhooks spread over them), a hostile MouseStats simulator, 20,000 webhooks with
 * duplicates, forgeries and malformed ones, two SIGKILLs, then the drain and the checks.
 * Exits 1 on any loss, double creation, trace of a forged event, or 5xx.
 */
import { parseArgs } from "node:util";
import { HOSTILE_FAULTS } from "./soak/hostile-simulator.ts";
import { runSoak } from "./soak/run-soak.ts";
import { formatProgress, formatSoakTable } from "./soak/soak-report.ts";

const { values } = parseArgs({
  options: {
    webhooks: { type: "string", default: "20000" },
    shops: { type: "string", default: "200" },
    rate: { type: "string", default: "600" },
    crashes: { type: "string", default: "2" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    "error-rate": { type: "string", default: String(HOSTILE_FAULTS.errorRate) },
    statuses: { type: "string", default: HOSTILE_FAULTS.errorStatuses.join(",") },
    "drain-timeout": { type: "string", default: "240" },
    database: { type: "string", default: "sqlite" },
    instances: { type: "string", default: "1" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write("usage: npm run soak -- [--webhooks 20000] [--shops 200] [--rate 600] [--crashes 2] [--seed N] [--error-rate 0.3] [--statuses 500,502,503,504] [--drain-timeout 240] [--database sqlite|postgres] [--instances 1]\n");
  process.exit(0);
}
const database = values.database;
const instances = Number(values.instances);
if ((database !== "sqlite" && database !== "postgres") || !Number.isInteger(instances) || instances < 1 || (instances > 1 && database !== "postgres")) {
  process.stderr.write("soak: --database is sqlite or postgres, --instances a whole number from 1; several instances need --database postgres\n");
  process.exit(2);
}

// Exit through process.exit, so the app process the soak started is killed with it.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

const options = {
  webhooks: Number(values.webhooks), shops: Number(values.shops), ratePerS: Number(values.rate),
  crashes: Number(values.crashes), seed: Number(values.seed),
  faults: { ...HOSTILE_FAULTS, errorRate: Number(values["error-rate"]), errorStatuses: values.statuses.split(",").map(Number) },
  mousestatsTimeoutMs: 1000, drainTimeoutMs: Number(values["drain-timeout"]) * 1000, database, instances,
} as const;
const tty = process.stdout.isTTY;
let lastPrintAt = 0;
process.stdout.write(`soak: ${options.webhooks} webhooks, ${options.shops} shops, ${options.ratePerS}/s, ${options.crashes} crashes, seed ${options.seed}, ${database} with ${instances} instance(s)\n`);
const result = await runSoak({
  ...options,
  onProgress: (p) => {
    if (tty) process.stdout.write(`\r\x1b[2K${formatProgress(p)}`);
    else if (Date.now() - lastPrintAt >= 5000) {
      lastPrintAt = Date.now();
      process.stdout.write(`${formatProgress(p)}\n`);
    }
  },
});
process.stdout.write(`${tty ? "\r\x1b[2K" : ""}\n${formatSoakTable(result)}\n\n`);
if (!result.ok) {
  process.stderr.write(`soak FAILED (seed ${options.seed}):\n${result.problems.map((p) => `  - ${p}`).join("\n")}\n`);
  process.exit(1);
}
