import { and, eq, inArray } from "../db/drizzle.ts";
import type { AppDatabase } from "../db/app-database.ts";
import { shopAccounts } from "../db/schema.ts";
import { createAccountStore, SHOP_OWNED_SOURCES } from "../provisioning/account-store.ts";
import type { JobPayloads } from "../provisioning/job-kinds.ts";
import type { JobHandler } from "../queue/job-handler.ts";
import type { TrackingService } from "./tracking-service.ts";

export interface WithdrawTrackingDeps {
  database: AppDatabase;
  tracking: Pick<TrackingService, "withdraw">;
  /** True for "the app has no session for this shop" (uninstalled: the site ID went with the installation). */
  isNotInstalled: (err: unknown) => boolean;
}

/**
 * `withdraw-tracking`: the shop's access ended (cancelled, declined, expired, frozen), so the
 * storefront must stop recording: the site ID's app-data metafield is deleted. The ID is kept
 * for the page to offer back; restoring access never restores tracking silently.
 */
export function withdrawTrackingHandler(deps: WithdrawTrackingDeps): JobHandler<JobPayloads["withdraw-tracking"]> {
  const { db } = deps.database;
  const store = createAccountStore(deps.database);
  return {
    async run({ shop }, { signal, logger }) {
      const [access] = await db.select({ shop: shopAccounts.shop }).from(shopAccounts)
        .where(and(eq(shopAccounts.shop, shop), inArray(shopAccounts.source, [...SHOP_OWNED_SOURCES]), eq(shopAccounts.access, "active"))).limit(1);
      if (access) return void logger.info("access came back before tracking was withdrawn; left on");
      let removed: string | null;
      try {
        removed = await deps.tracking.withdraw(shop, signal);
      } catch (err) {
        if (deps.isNotInstalled(err)) return void logger.info("no session: the site ID went with the app installation");
        throw err;
      }
      if (removed) await store.upsertShop(shop, { withdrawnSiteId: removed });
      logger.info({ removed: removed !== null }, "tracking withdrawn: access ended");
    },
  };
}
