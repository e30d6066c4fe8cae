import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { pinnedCommand, type CpuPlan } from "./cpu-pinning.ts";
import { startAppProcess } from "./processes.ts";
import { productionEnv } from "./production-env.ts";
import { median } from "./stats.ts";

export interface StartupResult {
  /** With the compile cache `npm start` keeps (warm after the first start). */
  runs: number[];
  medianMs: number;
  /** One start with an empty compile cache: the first start after an install or upgrade. */
  coldMs: number;
  /**
   * The same run's yardstick: spawn to exit of `node -e 0` on the app's core, alternated with the
   * app's starts (Node's own start on this machine, at this moment; these machines' speed varies).
   */
  nodeBootMedianMs: number;
}

/** Start-up: from spawning `node src/start.js` to the first 200 from /readyz, each on a new database (all migrations run). */
export async function benchStartup(options: { cpus: CpuPlan; dir: string; mousestatsApiUrl: string; runs?: number }): Promise<StartupResult> {
  const start = async (name: string, extra: Record<string, string> = {}) => {
    const databaseUrl = join(options.dir, `startup-${name}.db`);
    const app = await startAppProcess({
      env: { ...productionEnv({ databaseUrl, mousestatsApiUrl: options.mousestatsApiUrl }), ...extra },
      cpu: options.cpus.server, logFile: join(options.dir, "startup-app.log"),
    });
    await app.stop();
    rmSync(databaseUrl, { force: true });
    return app.startMs;
  };
  const coldCache = join(options.dir, "empty-compile-cache");
  const coldMs = await start("cold", { NODE_COMPILE_CACHE: coldCache });
  rmSync(coldCache, { recursive: true, force: true });
  const runs: number[] = [];
  const boots: number[] = [];
  for (let i = 0; i < (options.runs ?? 10); i++) {
    runs.push(await start(String(i)));
    boots.push(await nodeBoot(options.cpus.server));
  }
  return { runs, medianMs: median(runs), coldMs, nodeBootMedianMs: median(boots) };
}

async function nodeBoot(cpu: string | null): Promise<number> {
  const [command, ...args] = pinnedCommand(cpu, [process.execPath, "-e", "0"]);
  const started = performance.now();
  await new Promise((resolve, reject) => spawn(command!, args, { stdio: "ignore" }).once("exit", resolve).once("error", reject));
  return performance.now() - started;
}
