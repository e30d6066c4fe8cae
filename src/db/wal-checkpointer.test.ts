import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../logger.ts";
import { openDatabase, type Database } from "./client.ts";
import { startWalCheckpointer, type WalCheckpointer } from "./wal-checkpointer.ts";

describe("WAL checkpointer", () => {
  let dir: string;
  let path: string;
  let database: Database;
  let checkpointer: WalCheckpointer | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "wal-"));
    path = join(dir, "app.db");
    database = openDatabase(path);
  });
  afterEach(async () => {
    await checkpointer?.stop();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const writeOneMiB = () => database.sqlite.prepare("insert into jobs (kind, payload, status, run_at, max_attempts, created_at) values ('k', ?, 'succeeded', 0, 1, 0)")
    .run(JSON.stringify("x".repeat(1024 * 1024)));
  const walBytes = () => statSync(`${path}-wal`).size;

  it("checkpoints in the background, so the app's commits never have to and the WAL is reused", async () => {
    checkpointer = startWalCheckpointer({ sqlite: database.sqlite, path, logger: createSilentLogger(), synchronous: "FULL", intervalMs: 10 });
    expect(database.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(10_000);
    for (let i = 0; i < 16; i++) {
      writeOneMiB();
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    // 16 MiB were written; the WAL is reused from its start after each background checkpoint
    // (the margin is for a thread slow to start on a busy machine).
    expect(walBytes()).toBeLessThan(10 * 1024 * 1024);
  });

  it("without it, the same writes pile up in the WAL below the fallback", async () => {
    database.sqlite.pragma("wal_autocheckpoint = 10000");
    for (let i = 0; i < 16; i++) writeOneMiB();
    expect(walBytes()).toBeGreaterThan(15 * 1024 * 1024);
  });

  it("stops its thread", async () => {
    checkpointer = startWalCheckpointer({ sqlite: database.sqlite, path, logger: createSilentLogger(), synchronous: "FULL" });
    await checkpointer.stop();
    checkpointer = undefined;
  });
});
