import { Worker } from "node:worker_threads";
import type Sqlite from "better-sqlite3";
import type { SqliteSynchronous } from "../config.ts";
import type { Logger } from "../logger.ts";

export interface WalCheckpointerOptions {
  /** The app's connection: its own checkpoints become the fallback. */
  sqlite: Sqlite.Database;
  /** The database file (not `:memory:`). */
  path: string;
  logger: Logger;
  /** The app connection's setting, for the checkpoints' own syncs. */
  synchronous: SqliteSynchronous;
  /**
   * Checkpoint period. Longer copies a page written many times once (for a flood of inserts
   * with random keys, 1 s instead of 100 ms halved the checkpoint's time per insert), but each
   * checkpoint then holds the core longer. Since ignored deliveries only append, 1 s showed no
   * gain in the ingest benchmark, so the shorter pauses win.
   * @default 100
   */
  intervalMs?: number;
  /**
   * WAL pages past which the app's connection checkpoints by itself after a commit. Under a
   * sustained flood of commits the WAL is seldom rewound (a rewind needs a moment with every page
   * copied and no commit under way); this bounds it, and by then this thread has copied most
   * pages, so that checkpoint has little left to do. @default 10000 (40 MiB)
   */
  fallbackPages?: number;
}

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * Checkpoints the WAL from a worker thread. Left to SQLite, each checkpoint runs inside the
 * COMMIT that crosses 1,000 WAL pages, and that COMMIT, and with it the event loop, waits for
 * the checkpoint's fsyncs: tens of milliseconds on a slow disk, added to whatever request is
 * waiting (measured: webhook p99 at 1,000 req/s went from 2 ms to 200 ms). The app's connection
 * keeps a checkpoint of its own at `fallbackPages`, so the WAL stays bounded if this thread
 * falls behind (a sustained write flood) or dies.
 */
export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const { sqlite, logger } = options;
  sqlite.pragma(`wal_autocheckpoint = ${options.fallbackPages ?? 10_000}`);
  const worker = new Worker(new URL("./wal-checkpoint-worker.js", import.meta.url), {
    workerData: { path: options.path, intervalMs: options.intervalMs ?? 100, synchronous: options.synchronous },
  });
  let reported = false;
  worker.on("message", (message: { error?: string }) => {
    // One line, not one per interval: the fallback keeps the WAL bounded meanwhile.
    if (message.error && !reported) logger.warn({ err: message.error }, "background WAL checkpoint failed; SQLite checkpoints on commit instead");
    reported = true;
  });
  worker.on("error", (err) => logger.warn({ err: err.message }, "WAL checkpoint thread stopped; SQLite checkpoints on commit instead"));
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    async stop() {
      worker.postMessage("stop");
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
