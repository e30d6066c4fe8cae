import { eq, sql } from "../db/drizzle.ts";
import type { AppDatabase, Db } from "../db/app-database.ts";
import { preparedQuery } from "../db/prepared-query.ts";
import { shops } from "../db/schema.ts";
import type { ShopInfo } from "./shopify-admin.ts";

/** The install facts `offline-access.ts` needs from the `shops` row. */
export interface ShopRecord {
  email: string | null;
  installedAt: Date | null;
  uninstalledAt: Date | null;
}

/**
 * Reads the install facts of a shop. Read on every authenticated request: prepared once (built
 * and prepared per call, drizzle's query took about a third of a login link's own time).
 */
export function createShopRecordReader(database: AppDatabase): (shop: string) => Promise<ShopRecord | undefined> {
  const byDomain = preparedQuery(database, "shop_record", (db) => db
    .select({ email: shops.email, installedAt: shops.installedAt, uninstalledAt: shops.uninstalledAt })
    .from(shops)
    .where(eq(shops.domain, sql.placeholder("shop"))));
  return async (shop) => (await byDomain({ shop }))[0];
}

/**
 * Upserts the shop as installed, in one statement: email (trimmed, lower-cased) and name from
 * the Admin API, keeping the stored ones when Shopify gives none; `installedAt` set on the first
 * install and on a reinstall (when `uninstalledAt` was set), else kept; `uninstalledAt` cleared.
 * Subscription columns are left alone: billing webhooks own them.
 */
export async function recordShopInstall(db: Db, shop: string, info: ShopInfo, now: Date): Promise<void> {
  const email = info.email?.trim().toLowerCase() || null;
  const name = info.name?.trim() || null;
  await db.insert(shops)
    .values({ domain: shop, email, name, installedAt: now, uninstalledAt: null, updatedAt: now })
    .onConflictDoUpdate({
      target: shops.domain,
      set: {
        email: sql`coalesce(excluded.email, ${shops.email})`,
        name: sql`coalesce(excluded.name, ${shops.name})`,
        installedAt: sql`case when ${shops.uninstalledAt} is not null or ${shops.installedAt} is null
          then excluded.installed_at else ${shops.installedAt} end`,
        uninstalledAt: null,
        updatedAt: now,
      },
    });
}
