import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { closedLoopbackPort } from "../src/mousestats/serve-loopback.ts";
import { pinnedCommand } from "./cpu-pinning.ts";
import { BENCH_APP } from "./production-env.ts";

/** What `npm start` runs; it turns Node's compile cache on (NODE_COMPILE_CACHE moves it). */
const START = fileURLToPath(new URL("../src/start.js", import.meta.url));
/** Node's flags in `npm start` (package.json), so that the app runs here as it runs there. */
const START_FLAGS = startFlags(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

function startFlags(packageJson: string): string[] {
  const start = (JSON.parse(packageJson) as { scripts: { start: string } }).scripts.start;
  const flags = /^exec node ((?:--\S+ )*)src\/start\.js$/.exec(start);
  if (!flags) throw new Error(`npm start is not "exec node [--flags] src/start.js": ${start}`);
  return flags[1]!.split(" ").filter(Boolean);
}
const BARE = fileURLToPath(new URL("./bare-server.ts", import.meta.url));
const PEER = fileURLToPath(new URL("./peer/official-stack.ts", import.meta.url));

export interface ServerProcess {
  pid: number;
  port: number;
  url: string;
  /** Milliseconds from spawn to the first 200 from /readyz (the app) or to the printed port (bare). */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `node src/start.js` (what `npm start` runs) and waits for /readyz; its log lines go to
 * `logFile`. `appDir`: another checkout's start.js (the A/B bench), this one by default.
 */
export async function startAppProcess(options: { env: Record<string, string>; cpu: string | null; logFile: string; appDir?: string }): Promise<ServerProcess> {
  const port = await closedLoopbackPort();
  const out = openSync(options.logFile, "a");
  const started = performance.now();
  // BENCH_CPU_PROF=<dir>: every app process writes a CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const start = options.appDir ? join(options.appDir, "src", "start.js") : START;
  const [command, ...args] = pinnedCommand(options.cpu, [process.execPath, ...START_FLAGS, ...profile, start]);
  const child = spawn(command!, args, {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", HOST: "127.0.0.1", PORT: String(port), ...options.env },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  const exited = exitOf(child);
  await waitUntil(() => fetch(`${url}/readyz`).then((r) => r.status === 200, () => false), child, started, "app", options.logFile);
  return { pid: child.pid!, port, url, startMs: performance.now() - started, stop: () => stopChild(child, exited) };
}

/**
 * Starts the app once and stops it, so that the starts measured next find the app's bundle, the
 * minified page assets and Node's compile cache warm, as every start after the first does. A cold
 * start builds the bundle and loads Node's TypeScript stripper: idle RSS about 20 MiB higher for
 * that process.
 */
export async function warmAppCaches(options: { env: Record<string, string>; logFile: string; appDir?: string }): Promise<void> {
  const app = await startAppProcess({ ...options, cpu: null });
  await app.stop();
}

/**
 * The official stack (peer/official-stack.ts) storing into `databaseFile` with `synchronous`
 * as the app's; ready when it answers any HTTP request. Its log lines go to `logFile`.
 */
export async function startPeerServer(options: { cpu: string | null; databaseFile: string; synchronous: string; logFile: string }): Promise<ServerProcess> {
  const port = await closedLoopbackPort();
  const out = openSync(options.logFile, "a");
  const started = performance.now();
  const [command, ...args] = pinnedCommand(options.cpu, [process.execPath, PEER, options.databaseFile]);
  const child = spawn(command!, args, {
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", PORT: String(port), SHOPIFY_API_SECRET: BENCH_APP.apiSecret, SQLITE_SYNCHRONOUS: options.synchronous },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  const exited = exitOf(child);
  await waitUntil(() => fetch(url).then(() => true, () => false), child, started, "official stack", options.logFile);
  return { pid: child.pid!, port, url, startMs: performance.now() - started, stop: () => stopChild(child, exited) };
}

async function waitUntil(ready: () => Promise<boolean>, child: ChildProcess, started: number, what: string, logFile: string): Promise<void> {
  for (;;) {
    if (await ready()) return;
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before it was ready; see ${logFile}`);
    if (performance.now() - started > 15_000) throw new Error(`${what} not ready after 15 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function startBareServer(cpu: string | null): Promise<ServerProcess> {
  const started = performance.now();
  const [command, ...args] = pinnedCommand(cpu, [process.execPath, BARE]);
  const child = spawn(command!, args, { stdio: ["ignore", "pipe", "inherit"] });
  const exited = exitOf(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    void exited.then(() => reject(new Error("bare server exited")));
  });
  return { pid: child.pid!, port, url: `http://127.0.0.1:${port}`, startMs: performance.now() - started, stop: () => stopChild(child, exited) };
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

const TICKS_PER_S = 100;

/** Resident and peak memory (MiB) and CPU seconds used so far, from /proc (Linux). */
export function processStats(pid: number): { rssMiB: number; peakRssMiB: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the ")" ending the name.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMiB: kib("VmRSS") / 1024, peakRssMiB: kib("VmHWM") / 1024, cpuS: ticks / TICKS_PER_S };
}

/** Busy seconds of one core so far (all processes), from /proc/stat; NaN when unknown. */
export function coreBusyS(cpu: string | null): number {
  if (cpu === null || !/^\d+$/.test(cpu)) return Number.NaN;
  const line = readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) return Number.NaN;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_S;
}
