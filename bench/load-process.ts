import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadResult, LoadSpec } from "./load-generator.ts";
import type { LoadWorkerMessage } from "./load-worker.ts";
import { pinProcess, type CpuPlan } from "./cpu-pinning.ts";
import type { WebhookEventsSpec } from "./webhook-events.ts";

const WORKER = fileURLToPath(new URL("./load-worker.ts", import.meta.url));

export interface LoadProcess {
  /** Builds and signs the requests; resolves with their mean body size in bytes. */
  build(name: string, events: WebhookEventsSpec): Promise<{ bodyBytes: number }>;
  /** Runs a load with `count` requests of the set, starting at `from`. */
  run(name: string, load: LoadSpec, slice?: { from: number; count: number }): Promise<LoadResult>;
  close(): void;
}

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** The load generator in a process of its own, pinned to the load core when there is one. */
export function startLoadProcess(cpus: CpuPlan): LoadProcess {
  const child: ChildProcess = fork(WORKER, [], { execArgv: ["--max-old-space-size=4096"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  pinProcess(child.pid!, cpus.load);
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on("message", (reply: Reply) => {
    const entry = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) entry?.resolve(reply.result);
    else entry?.reject(new Error(`load generator: ${reply.error}`));
  });
  child.on("exit", (code) => {
    for (const entry of waiting.values()) entry.reject(new Error(`load generator exited (${code})`));
    waiting.clear();
  });
  const call = (message: WithoutId<LoadWorkerMessage>) => new Promise<unknown>((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    child.send({ ...message, id });
  });
  return {
    build: (name, events) => call({ type: "build", name, events }) as Promise<{ bodyBytes: number }>,
    run: (name, load, slice) => call({ type: "run", name, load, ...slice }) as Promise<LoadResult>,
    close() { child.kill(); },
  };
}
