import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Sqlite from "better-sqlite3";
import { parseConfig } from "../../../src/config.ts";
import { createSilentLogger } from "../../../src/logger.ts";
import { startServer, type RunningServer } from "../../../src/server.ts";

export interface ClockedServer {
  running: RunningServer & { database: RunningServer["database"] & { sqlite: Sqlite.Database } };
  /** Moves the app's clock forward (hours pass for replays and rate-limit windows). */
  advanceClock(ms: number): void;
  /** The app's clock (sign session tokens with it). */
  now(): number;
  close(): Promise<void>;
}

/** The app as `npm start` runs it offline (sandbox shop, bundled simulator), with a clock the test moves. */
export async function startClockedServer(env: Record<string, string> = {}): Promise<ClockedServer> {
  const dir = mkdtempSync(join(tmpdir(), "ms-security-"));
  let offsetMs = 0;
  const { config } = parseConfig({ PORT: "0", HOST: "127.0.0.1", DATABASE_URL: join(dir, "app.db"), LOG_LEVEL: "silent", MOUSESTATS_TIMEOUT_MS: "2000", ...env });
  const running = await startServer({ config, logger: createSilentLogger(), now: () => Date.now() + offsetMs, backoff: { baseMs: 20, capMs: 100 } });
  return {
    running: running as ClockedServer["running"],
    advanceClock(ms) { offsetMs += ms; },
    now: () => Date.now() + offsetMs,
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
