import { and, eq, inArray, ne, sql } from "../db/drizzle.ts";
import type { Db } from "../db/client.ts";
import { accounts, shopAccounts, shops, type ClaimState, type MappingSource } from "../db/schema.ts";
import type { MouseStatsAccount } from "../mousestats/client.ts";
import { accountOwner, claimFor } from "./account-owner.ts";

/** The sources that make an account the shop's own (as opposed to an order's customer). */
export const SHOP_OWNED_SOURCES = ["subscription", "purchase"] as const;

export type AccountRow = typeof accounts.$inferSelect;
export type ShopRow = typeof shops.$inferSelect;
export type MappingRow = typeof shopAccounts.$inferSelect;

export interface MappingInput {
  shop: string;
  email: string;
  source: MappingSource;
  sourceRef: string | null;
  /** The order's buyer, for the order path. */
  customerId?: string | null;
}

/** Synchronous reads and writes of accounts, mappings and shops; callers wrap them in transactions. */
export function createAccountStore(db: Db) {
  const store = {
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

    /** The email of the shop's newest own mapping (its account before `shops.account_email` was kept). */
    latestOwnAccountEmail(shop: string): string | undefined {
      return db.select({ email: shopAccounts.accountEmail }).from(shopAccounts)
        .where(and(eq(shopAccounts.shop, shop), inArray(shopAccounts.source, [...SHOP_OWNED_SOURCES])))
        .orderBy(sql`${shopAccounts.updatedAt} desc, ${shopAccounts.id} desc`).limit(1).get()?.email;
    },

    /**
     * Grants `shop` (or the order's buyer) the account of `email`, creating the account row as
     * `pending`, for this owner, when new. Whether the mapping may use the account is its claim
     * (`account-owner.ts`). For a shop's own account, any other own mapping of the shop is
     * retired: a shop uses one account.
     */
    mapShopToAccount(input: MappingInput): { account: AccountRow; claim: ClaimState } {
      const now = new Date();
      const owner = accountOwner(input);
      db.insert(accounts).values({ email: input.email, status: "pending", owner }).onConflictDoNothing().run();
      const account = store.getAccount(input.email)!;
      if (account.status === "failed") {
        db.update(accounts).set({ status: "pending", updatedAt: now }).where(eq(accounts.email, input.email)).run();
        account.status = "pending";
      }
      const existing = db.select().from(shopAccounts)
        .where(and(eq(shopAccounts.shop, input.shop), eq(shopAccounts.accountEmail, input.email), eq(shopAccounts.source, input.source))).get();
      const heldBefore = existing?.claim === "verified" && accountOwner(existing) === owner;
      const claim = claimFor({ owner, heldBefore, account });
      if (input.source !== "order") {
        db.update(shopAccounts).set({ access: "inactive", updatedAt: now })
          .where(and(eq(shopAccounts.shop, input.shop), inArray(shopAccounts.source, [...SHOP_OWNED_SOURCES]), ne(shopAccounts.accountEmail, input.email)))
          .run();
      }
      const customerId = input.customerId ?? null;
      db.insert(shopAccounts).values({ shop: input.shop, accountEmail: input.email, source: input.source, sourceRef: input.sourceRef, customerId, access: "active", claim })
        .onConflictDoUpdate({
          target: [shopAccounts.shop, shopAccounts.accountEmail, shopAccounts.source],
          set: { sourceRef: input.sourceRef, customerId, access: "active", claim, updatedAt: now },
        }).run();
      return { account, claim };
    },

    /** Withdraws the shop's access to its own account(s). */
    deactivateShopAccess(shop: string): number {
      return db.update(shopAccounts).set({ access: "inactive", updatedAt: new Date() })
        .where(and(eq(shopAccounts.shop, shop), inArray(shopAccounts.source, [...SHOP_OWNED_SOURCES]), eq(shopAccounts.access, "active"))).run().changes;
    },

    /** The plan and usage as GetAccount gave them (the account exists at MouseStats). */
    recordUsage(email: string, account: MouseStatsAccount, now: Date): void {
      db.update(accounts).set({
        status: "active", planName: account.planName, planDaysLeft: account.planDaysLeft,
        heatmapProjects: account.usage.heatmapProjects, playbackProjects: account.usage.playbackProjects,
        heatmapVisits: account.usage.heatmapVisits, playbackVisits: account.usage.playbackVisits,
        usageCheckedAt: now, lastError: null, failedSince: null, updatedAt: now,
      }).where(eq(accounts.email, email)).run();
    },

    /**
     * Provisioning found the account at MouseStats: `active`, made by this app or not, and every
     * mapping still waiting learns whether it may use it: only the owner the app created it for.
     */
    confirmAccount(email: string, account: MouseStatsAccount, options: { createdByApp: boolean; now: Date }): void {
      store.recordUsage(email, account, options.now);
      if (options.createdByApp) db.update(accounts).set({ createdByApp: true }).where(eq(accounts.email, email)).run();
      const row = store.getAccount(email)!;
      for (const m of db.select().from(shopAccounts).where(and(eq(shopAccounts.accountEmail, email), eq(shopAccounts.claim, "pending"))).all()) {
        const claim: ClaimState = row.createdByApp && accountOwner(m) === row.owner ? "verified" : "needs_review";
        db.update(shopAccounts).set({ claim, updatedAt: options.now }).where(eq(shopAccounts.id, m.id)).run();
      }
    },

    /** About to send CreateAccount: committed first, so a lost reply still leaves the account known as ours. */
    markCreateAttempted(email: string, now: Date): void {
      db.update(accounts).set({ createAttemptedAt: now, updatedAt: now }).where(eq(accounts.email, email)).run();
    },

    /** CreateAccount's reply; `notOurs` when MouseStats said the account already existed. */
    recordCreateReply(email: string, reply: string, options: { notOurs: boolean }): void {
      db.update(accounts).set({ createReply: reply, ...(options.notOurs ? { createAttemptedAt: null } : {}), updatedAt: new Date() })
        .where(eq(accounts.email, email)).run();
    },

    /** `failed` with a reason a merchant can read, or (still `pending`) the last transient problem. */
    recordAccountError(email: string, reason: string, options: { failed: boolean; now?: Date }): void {
      const now = options.now ?? new Date();
      const byEmail = eq(accounts.email, email);
      db.update(accounts).set({
        lastError: reason, updatedAt: now,
        ...(options.failed ? { status: "failed" as const, failedSince: sql`coalesce(${accounts.failedSince}, ${now.getTime()})` } : {}),
      }).where(options.failed ? byEmail : and(byEmail, ne(accounts.status, "active"))).run();
    },

    /** Back to `pending` for a retry; false when the account is not known or already active. */
    resetForRetry(email: string): boolean {
      return db.update(accounts).set({ status: "pending", lastError: null, updatedAt: new Date() })
        .where(and(eq(accounts.email, email), ne(accounts.status, "active"))).run().changes === 1;
    },
  };
  return store;
}

export type AccountStore = ReturnType<typeof createAccountStore>;
