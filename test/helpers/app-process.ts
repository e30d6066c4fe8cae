import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/start.js", import.meta.url));

export interface AppProcess {
  child: ChildProcess;
  /** Base URL the app printed, e.g. `http://localhost:41234`. */
  url: string;
  output: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

/** Starts `node src/start.js` (what `npm start` runs) as a real child process and waits until it prints where it listens. */
export async function startAppProcess(env: Record<string, string>, timeoutMs = 15_000): Promise<AppProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${out}`)), timeoutMs);
    const check = () => {
      const match = /Webhooks:\s+POST (\S+)\/webhooks/.exec(out);
      if (match) { clearTimeout(timer); resolve(match[1]!.replace("localhost", "127.0.0.1")); }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`app exited (${code}) before listening:\n${out}`)); });
  });
  return { child, url, output: () => out, exited };
}
