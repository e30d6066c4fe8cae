import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Sqlite from "better-sqlite3";
import { parseConfig } from "../../src/config.ts";
import { createSilentLogger } from "../../src/logger.ts";
import { startServer, type RunningServer } from "../../src/server.ts";

export interface TestServer extends RunningServer {
  /** The SQLite file's seam, with its raw connection for assertions. */
  database: RunningServer["database"] & { sqlite: Sqlite.Database };
  dir: string;
  /** Moves the app's clock forward (e.g. past the usage cache's 5 minutes, or a session token's minute). */
  advanceClock(ms: number): void;
  /** Stops the server and deletes its folder. */
  close(): Promise<void>;
}

/** The real server on loopback, a real SQLite file in a temp folder, sandbox shop and bundled simulator by default. */
export async function startTestServer(env: Record<string, string> = {}, options: { concurrency?: number } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "ms-app-"));
  const { config } = parseConfig({ PORT: "0", HOST: "127.0.0.1", DATABASE_URL: join(dir, "app.db"), LOG_LEVEL: "silent", MOUSESTATS_TIMEOUT_MS: "2000", ...env });
  let offsetMs = 0;
  const running = await startServer({
    config, logger: createSilentLogger(), backoff: { baseMs: 20, capMs: 100 }, concurrency: options.concurrency,
    now: () => Date.now() + offsetMs,
  });
  return {
    ...running,
    database: running.database as TestServer["database"],
    dir,
    advanceClock(ms) { offsetMs += ms; },
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
