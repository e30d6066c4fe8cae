import { close, fdatasync, openSync } from "node:fs";

/** Makes commits durable without holding the event loop: the sync of a group commit. */
export interface WalSync {
  /**
   * Calls `done` once every commit made before this call is on disk, or with the error that kept
   * it from being. Callers that ask while a sync is under way share the next one.
   */
  afterCommit(done: (err: Error | null) => void): void;
  /** Waits for a sync under way, then closes the file. */
  close(): Promise<void>;
}

/**
 * `synchronous = FULL` in WAL mode is NORMAL plus a sync of the WAL file after each commit
 * (https://www.sqlite.org/pragma.html#pragma_synchronous), made by SQLite on the thread that
 * commits: the event loop. The webhook inbox instead commits a batch with NORMAL and then has
 * this sync the WAL in libuv's thread pool, answering the batch only once it is done: as
 * durable, while the event loop goes on reading the next requests. Measured in `npm run bench`
 * (webhook ingest vs bare node:http): see the comment in sqlite-backend.ts.
 */
export function openWalSync(databasePath: string): WalSync {
  // The WAL exists once the database was opened in WAL mode and read (migrations); an fsync
  // through any descriptor of the file syncs the file.
  const fd = openSync(`${databasePath}-wal`, "r+");
  let syncing: Promise<void> | undefined;
  let waiting: Array<(err: Error | null) => void> = [];

  const start = () => {
    const batch = waiting;
    waiting = [];
    syncing = new Promise((resolve) => fdatasync(fd, (err) => {
      syncing = undefined;
      for (const done of batch) {
        try {
          done(err);
        } catch (callbackError) {
          queueMicrotask(() => { throw callbackError; });
        }
      }
      if (waiting.length > 0) start();
      resolve();
    }));
  };

  return {
    afterCommit(done) {
      waiting.push(done);
      if (!syncing) start();
    },
    async close() {
      while (syncing) await syncing;
      await new Promise<void>((resolve, reject) => close(fd, (err) => (err ? reject(err) : resolve())));
    },
  };
}
