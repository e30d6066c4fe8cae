import type { AppDatabase } from "../db/app-database.ts";
import type { Logger } from "../logger.ts";
import type { MouseStatsClient } from "../mousestats/client.ts";
import { createAccountStore } from "./account-store.ts";

export interface UsageRefresherOptions {
  database: AppDatabase;
  mousestats: MouseStatsClient;
  logger: Logger;
  /** How long figures count as fresh. @default 300000 (5 min) */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Keeps an active account's plan and usage figures at most `maxAgeMs` old, one GetAccount per
 * email at a time. When MouseStats fails, the last known figures stay and the caller marks them stale.
 */
export function createUsageRefresher(options: UsageRefresherOptions) {
  const { mousestats, logger, maxAgeMs = 300_000, now = Date.now } = options;
  const store = createAccountStore(options.database);
  const inFlight = new Map<string, Promise<boolean>>();

  async function refresh(email: string): Promise<boolean> {
    try {
      const result = await mousestats.getAccount(email);
      if (!result.found) return false;
      await store.recordUsage(email, result.account, new Date(now()));
      return true;
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, "usage refresh failed; showing last known figures");
      return false;
    }
  }

  return {
    /** Returns false when figures are older than maxAgeMs and could not be refreshed. */
    async ensureFresh(email: string, checkedAt: Date | null): Promise<boolean> {
      if (checkedAt && now() - checkedAt.getTime() < maxAgeMs) return true;
      let pending = inFlight.get(email);
      if (!pending) {
        pending = refresh(email).finally(() => inFlight.delete(email));
        inFlight.set(email, pending);
      }
      return pending;
    },
  };
}

export type UsageRefresher = ReturnType<typeof createUsageRefresher>;
