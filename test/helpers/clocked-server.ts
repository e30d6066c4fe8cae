import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config.ts";
import { createSilentLogger } from "../../src/logger.ts";
import { startServer, type RunningServer } from "../../src/server.ts";

export interface ClockedServer {
  running: RunningServer;
  /** Moves the app's clock forward (e.g. past the usage cache's 5 minutes). */
  advanceClock(ms: number): void;
  /** Stops the app and deletes its database folder. */
  close(): Promise<void>;
}

/**
 * The whole app as `npm start` runs it with no credentials (sandbox shop, bundled MouseStats
 * simulator), on an ephemeral loopback port with a real SQLite file in a temporary folder.
 * Like `startTestServer` (test-server.ts), plus a clock the test can move forward, e.g. to age
 * cached usage figures.
 */
export async function startClockedServer(env: Record<string, string> = {}): Promise<ClockedServer> {
  const dir = await mkdtemp(join(tmpdir(), "mousestats-app-"));
  let offsetMs = 0;
  const { config } = parseConfig({
    PORT: "0", HOST: "127.0.0.1", DATABASE_URL: join(dir, "app.db"), LOG_LEVEL: "silent", ...env,
  });
  const running = await startServer({ config, logger: createSilentLogger(), now: () => Date.now() + offsetMs });
  return {
    running,
    advanceClock(ms) {
      offsetMs += ms;
    },
    async close() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
