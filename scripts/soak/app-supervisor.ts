import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/start.js", import.meta.url));
const OUTPUT_LINES_KEPT = 300;

export interface AppSupervisor {
  /** `http://127.0.0.1:<port>`: the same port across restarts, as a real deployment keeps it. */
  readonly url: string;
  /** True between "listening" and the next kill. */
  readonly up: boolean;
  /** Starts the app and resolves once it prints its webhook URL. */
  start(): Promise<void>;
  /** SIGKILL, then wait for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM; resolves with the exit code (or signal) and how long the stop took. */
  stop(timeoutMs?: number): Promise<{ exit: number | string; tookMs: number }>;
  /** The last lines the app wrote (stdout and stderr), for a failure report. */
  tail(lines?: number): string;
}

/** Runs `node src/start.js` as a child process, as `npm start` does, and kills it on demand. */
export function createAppSupervisor(options: { port: number; env: Record<string, string> }): AppSupervisor {
  const url = `http://127.0.0.1:${options.port}`;
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<number | string> = Promise.resolve(0);
  let up = false;

  const tail = (count = 40) => lines.slice(-count).join("\n");
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim() !== "") lines.push(line);
    if (lines.length > OUTPUT_LINES_KEPT) lines.splice(0, lines.length - OUTPUT_LINES_KEPT);
  };

  return {
    url,
    get up() { return up; },

    async start() {
      const proc = spawn(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", HOST: "127.0.0.1", PORT: String(options.port), ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = proc;
      // Never leave the app running when the soak itself dies.
      const orphanGuard = () => proc.kill("SIGKILL");
      process.once("exit", orphanGuard);
      proc.once("exit", () => process.off("exit", orphanGuard));
      exited = new Promise((resolve) => proc.once("exit", (code, signal) => { up = false; resolve(code ?? signal ?? -1); }));
      proc.stderr!.on("data", keep);
      await new Promise<void>((resolve, reject) => {
        let seen = "";
        const timer = setTimeout(() => reject(new Error(`app did not start within 20 s:\n${tail()}`)), 20_000);
        proc.stdout!.on("data", (chunk: Buffer) => {
          keep(chunk);
          if (up) return;
          seen += chunk.toString();
          if (/Webhooks:\s+POST /.test(seen)) {
            up = true;
            clearTimeout(timer);
            resolve();
          }
        });
        void exited.then((code) => { clearTimeout(timer); reject(new Error(`app exited (${code}) before listening:\n${tail()}`)); });
      });
    },

    async kill() {
      up = false;
      child?.kill("SIGKILL");
      await exited;
    },

    async stop(timeoutMs = 15_000) {
      const started = Date.now();
      child?.kill("SIGTERM");
      const timer = setTimeout(() => child?.kill("SIGKILL"), timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return { exit, tookMs: Date.now() - started };
    },

    tail,
  };
}
