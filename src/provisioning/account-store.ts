import { and, eq, ne, sql } from "../db/drizzle.ts";
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

/**
 * Synchronous reads and writes of accounts, mappings and shops; callers wrap them in transactions.
 * What a billing or order job runs (getAccount, getShop, latestOwnAccountEmail, mapShopToAccount)
 * is prepared once: built and prepared per call by drizzle, one billing event cost about 1 ms of
 * CPU, and the soak's bursts of them held webhook answers up to 1 s (p99 425 ms, against 88 ms
 * before ownership added its queries); see the commit that introduced these statements.
 */
export function createAccountStore(db: Db) {
  const raw = db.$client;
  const accountByEmail = db.select().from(accounts).where(eq(accounts.email, sql.placeholder("email"))).prepare();
  const shopByDomain = db.select().from(shops).where(eq(shops.domain, sql.placeholder("shop"))).prepare();
  const mappingOf = db.select().from(shopAccounts)
    .where(and(eq(shopAccounts.shop, sql.placeholder("shop")), eq(shopAccounts.accountEmail, sql.placeholder("email")), eq(shopAccounts.source, sql.placeholder("source")))).prepare();
  const newestOwnEmail = raw.prepare(`select account_email from shop_accounts where shop = ? and source in ('subscription', 'purchase')
    order by updated_at desc, id desc limit 1`).pluck();
  const insertAccount = raw.prepare("insert into accounts (email, status, owner) values (?, 'pending', ?) on conflict (email) do nothing");
  const reopenFailed = raw.prepare("update accounts set status = 'pending', updated_at = ? where email = ? and status = 'failed'");
  const retireOtherOwn = raw.prepare(`update shop_accounts set access = 'inactive', updated_at = ?
    where shop = ? and source in ('subscription', 'purchase') and account_email != ? and access = 'active'`);
  const upsertMapping = raw.prepare(`insert into shop_accounts (shop, account_email, source, source_ref, customer_id, access, claim, created_at, updated_at)
      values (@shop, @email, @source, @sourceRef, @customerId, 'active', @claim, @now, @now)
    on conflict (shop, account_email, source) do update set source_ref = excluded.source_ref, customer_id = excluded.customer_id,
      access = 'active', claim = excluded.claim, updated_at = excluded.updated_at`);
  const deactivateOwn = raw.prepare(`update shop_accounts set access = 'inactive', updated_at = ?
    where shop = ? and source in ('subscription', 'purchase') and access = 'active'`);

  const store = {
    getAccount(email: string): AccountRow | undefined {
      return accountByEmail.get({ email });
    },

    getShop(domain: string): ShopRow | undefined {
      return shopByDomain.get({ shop: domain });
    },

    /** Creates the shop row if missing and applies `changes`. */
    upsertShop(domain: string, changes: Partial<Omit<ShopRow, "domain" | "createdAt">>): void {
      db.insert(shops).values({ domain, ...changes })
        .onConflictDoUpdate({ target: shops.domain, set: { ...changes, updatedAt: new Date() } }).run();
    },

    /** The email of the shop's newest own mapping (its account before `shops.account_email` was kept). */
    latestOwnAccountEmail(shop: string): string | undefined {
      return newestOwnEmail.get(shop) as string | undefined;
    },

    /**
     * Grants `shop` (or the order's buyer) the account of `email`, creating the account row as
     * `pending`, for this owner, when new. Whether the mapping may use the account is its claim
     * (`account-owner.ts`). For a shop's own account, any other own mapping of the shop is
     * retired: a shop uses one account.
     */
    mapShopToAccount(input: MappingInput): { account: AccountRow; claim: ClaimState } {
      const now = Date.now();
      const owner = accountOwner(input);
      insertAccount.run(input.email, owner);
      reopenFailed.run(now, input.email); // a failed account gets another go with the new purchase
      const account = store.getAccount(input.email)!;
      const existing = mappingOf.get({ shop: input.shop, email: input.email, source: input.source });
      const heldBefore = existing?.claim === "verified" && accountOwner(existing) === owner;
      const claim = claimFor({ owner, heldBefore, account });
      if (input.source !== "order") retireOtherOwn.run(now, input.shop, input.email);
      upsertMapping.run({ shop: input.shop, email: input.email, source: input.source, sourceRef: input.sourceRef, customerId: input.customerId ?? null, claim, now });
      return { account, claim };
    },

    /** Withdraws the shop's access to its own account(s). */
    deactivateShopAccess(shop: string): number {
      return deactivateOwn.run(Date.now(), shop).changes;
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
