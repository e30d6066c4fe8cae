import { and, eq, inArray, ne } from "../db/drizzle.ts";
import type { Db } from "../db/client.ts";
import { accounts, shopAccounts, shops, type MappingSource } from "../db/schema.ts";
import type { MouseStatsAccount } from "../mousestats/client.ts";

/** The sources that make an account the shop's own (as opposed to an order's customer). */
export const SHOP_OWNED_SOURCES = ["subscription", "purchase"] as const;

export type AccountRow = typeof accounts.$inferSelect;
export type ShopRow = typeof shops.$inferSelect;

/** Synchronous reads and writes of accounts, mappings and shops; callers wrap them in transactions. */
export function createAccountStore(db: Db) {
  return {
    getAccount(email: string): AccountRow | undefined {
      return db.select().from(accounts).where(eq(accounts.email, email)).get();
    },

    getShop(domain: string): ShopRow | undefined {
      return db.select().from(shops).where(eq(shops.domain, domain)).get();
    },

    /** Creates the shop row if missing and applies `changes`. */
    upsertShop(domain: string, changes: Partial<Omit<ShopRow, "domain" | "createdAt">>): void {
      db.insert(shops).values({ domain, ...changes })
        .onConflictDoUpdate({ target: shops.domain, set: { ...changes, updatedAt: new Date() } }).run();
    },

    /**
     * Grants `shop` the account of `email` (creating the row as `pending` when new). For a shop's
     * own account, any other own mapping of the shop is retired: a shop uses one account.
     */
    mapShopToAccount(input: { shop: string; email: string; source: MappingSource; sourceRef: string | null }): AccountRow {
      const now = new Date();
      db.insert(accounts).values({ email: input.email, status: "pending" }).onConflictDoNothing().run();
      const account = db.select().from(accounts).where(eq(accounts.email, input.email)).get()!;
      if (account.status === "failed") {
        db.update(accounts).set({ status: "pending", updatedAt: now }).where(eq(accounts.email, input.email)).run();
        account.status = "pending";
      }
      if (input.source !== "order") {
        db.update(shopAccounts).set({ access: "inactive", updatedAt: now })
          .where(and(eq(shopAccounts.shop, input.shop), inArray(shopAccounts.source, [...SHOP_OWNED_SOURCES]), ne(shopAccounts.accountEmail, input.email)))
          .run();
      }
      db.insert(shopAccounts).values({ ...input, accountEmail: input.email, access: "active" })
        .onConflictDoUpdate({
          target: [shopAccounts.shop, shopAccounts.accountEmail, shopAccounts.source],
          set: { sourceRef: input.sourceRef, access: "active", updatedAt: now },
        }).run();
      return account;
    },

    /** Withdraws the shop's access to its own account(s). */
    deactivateShopAccess(shop: string): number {
      return db.update(shopAccounts).set({ access: "inactive", updatedAt: new Date() })
        .where(and(eq(shopAccounts.shop, shop), inArray(shopAccounts.source, [...SHOP_OWNED_SOURCES]), eq(shopAccounts.access, "active"))).run().changes;
    },

    /** The account exists at MouseStats: `active`, with its plan and usage as GetAccount gave them. */
    markAccountActive(email: string, account: MouseStatsAccount, now: Date): void {
      db.update(accounts).set({
        status: "active", planName: account.planName, planDaysLeft: account.planDaysLeft,
        heatmapProjects: account.usage.heatmapProjects, playbackProjects: account.usage.playbackProjects,
        heatmapVisits: account.usage.heatmapVisits, playbackVisits: account.usage.playbackVisits,
        usageCheckedAt: now, lastError: null, updatedAt: now,
      }).where(eq(accounts.email, email)).run();
    },

    markAccountCreatedByApp(email: string): void {
      db.update(accounts).set({ createdByApp: true, updatedAt: new Date() }).where(eq(accounts.email, email)).run();
    },

    /** `failed` with a reason a merchant can read, or (still `pending`) the last transient problem. */
    recordAccountError(email: string, reason: string, options: { failed: boolean }): void {
      const byEmail = eq(accounts.email, email);
      db.update(accounts).set({ lastError: reason, updatedAt: new Date(), ...(options.failed ? { status: "failed" as const } : {}) })
        .where(options.failed ? byEmail : and(byEmail, ne(accounts.status, "active"))).run();
    },

    /** Back to `pending` for a retry; false when the account is not known. */
    resetForRetry(email: string): boolean {
      return db.update(accounts).set({ status: "pending", lastError: null, updatedAt: new Date() })
        .where(and(eq(accounts.email, email), ne(accounts.status, "active"))).run().changes === 1;
    },
  };
}

export type AccountStore = ReturnType<typeof createAccountStore>;
