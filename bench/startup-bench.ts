import { rmSync } from "node:fs";
import { join } from "node:path";
import type { CpuPlan } from "./cpu-pinning.ts";
import { startAppProcess } from "./processes.ts";
import { productionEnv } from "./production-env.ts";
import { median } from "./stats.ts";

export interface StartupResult {
  runs: number[];
  medianMs: number;
}

/** Start-up: from spawning `node src/main.ts` to the first 200 from /readyz, each on a new database (all migrations run). */
export async function benchStartup(options: { cpus: CpuPlan; dir: string; mousestatsApiUrl: string; runs?: number }): Promise<StartupResult> {
  const runs: number[] = [];
  for (let i = 0; i < (options.runs ?? 10); i++) {
    const databaseUrl = join(options.dir, `startup-${i}.db`);
    const app = await startAppProcess({
      env: productionEnv({ databaseUrl, mousestatsApiUrl: options.mousestatsApiUrl }),
      cpu: options.cpus.server, logFile: join(options.dir, "startup-app.log"),
    });
    runs.push(app.startMs);
    await app.stop();
    rmSync(databaseUrl, { force: true });
  }
  return { runs, medianMs: median(runs) };
}
