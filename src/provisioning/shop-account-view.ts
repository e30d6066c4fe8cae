import { and, desc, eq, inArray, sql } from "../db/drizzle.ts";
import type { AppDatabase } from "../db/app-database.ts";
import { preparedQuery } from "../db/prepared-query.ts";
import { accounts, shopAccounts, shops } from "../db/schema.ts";
import { SHOP_OWNED_SOURCES } from "./account-store.ts";

export type PageStatus = "none" | "pending" | "active" | "failed" | "inactive" | "needs_review";

export interface ShopAccountView {
  shop: string;
  email: string | null;
  status: PageStatus;
  plan: string | null;
  planDaysLeft: number | null;
  usage: { heatmapProjects: number; playbackProjects: number; heatmapVisits: number; playbackVisits: number } | null;
  usageCheckedAt: Date | null;
  error: string | null;
  /** Since when the shop has been in this state (its mapping's last change); null without one. */
  since: Date | null;
}

/**
 * What the shop's page shows: the shop's own account (subscription or purchase), the active
 * mapping first, else the newest. `inactive` when the shop's access was withdrawn. Read on
 * every page poll and login link, so the queries are prepared once (drizzle would otherwise
 * build and prepare them per call: ~0.3 ms).
 */
export function createShopAccountViews(database: AppDatabase) {
  const ownAccount = preparedQuery(database, "shop_own_account", (db) => db.select({ mapping: shopAccounts, account: accounts }).from(shopAccounts)
    .innerJoin(accounts, eq(accounts.email, shopAccounts.accountEmail))
    .where(and(eq(shopAccounts.shop, sql.placeholder("shop")), inArray(shopAccounts.source, [...SHOP_OWNED_SOURCES])))
    .orderBy(desc(eq(shopAccounts.access, "active")), desc(shopAccounts.updatedAt), desc(shopAccounts.id))
    .limit(1));
  const shopEmail = preparedQuery(database, "shop_email", (db) => db.select({ email: shops.email }).from(shops).where(eq(shops.domain, sql.placeholder("shop"))));
  return {
    async read(shop: string): Promise<ShopAccountView> {
      const [row] = await ownAccount({ shop });
      if (!row) {
        const email = (await shopEmail({ shop }))[0]?.email ?? null;
        return { shop, email, status: "none", plan: null, planDaysLeft: null, usage: null, usageCheckedAt: null, error: null, since: null };
      }
      return toView(shop, row.mapping, row.account);
    },
  };
}

export type ShopAccountViews = ReturnType<typeof createShopAccountViews>;

function statusOf(mapping: Pick<typeof shopAccounts.$inferSelect, "access" | "claim">, account: typeof accounts.$inferSelect): PageStatus {
  if (mapping.access === "inactive") return "inactive";
  if (mapping.claim === "needs_review") return "needs_review";
  // An account found at MouseStats but not yet settled as this shop's is still being set up.
  if (mapping.claim === "pending" && account.status === "active") return "pending";
  return account.status;
}

function toView(shop: string, mapping: typeof shopAccounts.$inferSelect, a: typeof accounts.$inferSelect): ShopAccountView {
  const status = statusOf(mapping, a);
  // An account the shop has not been shown to own: nothing of it is shown but its email.
  if (status === "needs_review") return { shop, email: a.email, status, plan: null, planDaysLeft: null, usage: null, usageCheckedAt: null, error: null, since: mapping.updatedAt };
  const hasUsage = a.heatmapProjects !== null && a.playbackProjects !== null && a.heatmapVisits !== null && a.playbackVisits !== null;
  return {
    shop,
    email: a.email,
    status,
    plan: a.planName,
    planDaysLeft: a.planDaysLeft,
    usage: hasUsage ? { heatmapProjects: a.heatmapProjects!, playbackProjects: a.playbackProjects!, heatmapVisits: a.heatmapVisits!, playbackVisits: a.playbackVisits! } : null,
    usageCheckedAt: a.usageCheckedAt,
    error: a.lastError,
    since: mapping.updatedAt,
  };
}
