/**
 * Worker-thread side of wal-checkpointer.ts: its own connection to the database file, a
 * PASSIVE checkpoint every `intervalMs` (never waits for the app's writer, never blocks it).
 */
import { parentPort, workerData } from "node:worker_threads";
import Sqlite from "better-sqlite3";

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Sqlite(path);
// The checkpoint's fsyncs: what synchronous=NORMAL promises for the app's connection too.
db.pragma("synchronous = NORMAL");

const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (err) {
    parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}, intervalMs);

parentPort!.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
