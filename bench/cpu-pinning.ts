import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { availableParallelism, setPriority } from "node:os";

/** Which cores each side of a benchmark runs on; null when pinning is not available. */
export interface CpuPlan {
  /** The app (and the bare baseline server). */
  server: string | null;
  /** The load generator. */
  load: string | null;
  /** This orchestrating process and the MouseStats simulator it serves. */
  bench: string | null;
  description: string;
}

/**
 * Benchmark processes run at this niceness when allowed (root): on a shared machine, other
 * work then takes less of the cores being measured. Each run reports what others still took.
 */
const NICE = -10;
const canBoost = process.getuid?.() === 0;

export function planCpus(): CpuPlan {
  const cores = availableParallelism();
  const hasTaskset = spawnSync("taskset", ["-V"], { stdio: "ignore" }).status === 0;
  const priority = canBoost ? `, nice ${NICE}` : "";
  if (!hasTaskset || cores < 2) {
    return { server: null, load: null, bench: null, description: `not pinned (${hasTaskset ? `${cores} core` : "no taskset"})${priority}: results are noisier` };
  }
  const bench = cores > 2 ? `2-${cores - 1}` : "1";
  return { server: "0", load: "1", bench, description: `taskset: app on cpu 0, load generator on cpu 1, bench + simulator on cpu ${bench}${priority}` };
}

/** `argv` prefixed with nice (when allowed) and taskset (when a core is given). */
export function pinnedCommand(cpu: string | null, argv: string[]): string[] {
  return [...(canBoost ? ["nice", "-n", String(NICE)] : []), ...(cpu === null ? [] : ["taskset", "-c", cpu]), ...argv];
}

/** Pins a running process and all its threads to `cpu`, at the bench's priority. */
export function pinProcess(pid: number, cpu: string | null): void {
  if (cpu !== null) execFileSync("taskset", ["-a", "-p", "-c", cpu, String(pid)], { stdio: "ignore" });
  if (!canBoost) return;
  // Niceness is per thread on Linux; threads started later inherit it from their creator.
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      setPriority(Number(tid), NICE);
    } catch {
      // a thread that just ended
    }
  }
}
