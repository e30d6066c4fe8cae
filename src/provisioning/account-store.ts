import { and, eq, ne, sql } from "../db/drizzle.ts";
import type { AppDatabase, Db } from "../db/app-database.ts";
import { preparedQuery } from "../db/prepared-query.ts";
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
 * Reads and writes of accounts, mappings and shops; each takes the `tx` of the transaction it
 * belongs to. What a billing or order job runs (getAccount, getShop, latestOwnAccountEmail,
 * mapShopToAccount) is prepared once: built and prepared per call by drizzle, one billing event
 * cost about 1 ms of CPU, and the soak's bursts of them held webhook answers up to 1 s (p99
 * 425 ms, against 88 ms before ownership added its queries); see the commit that introduced
 * these statements.
 */
export function createAccountStore(database: AppDatabase) {
  const { db } = database;
  const accountByEmail = preparedQuery(database, "account_by_email",
    (d) => d.select().from(accounts).where(eq(accounts.email, sql.placeholder("email"))));
  const shopByDomain = preparedQuery(database, "shop_by_domain",
    (d) => d.select().from(shops).where(eq(shops.domain, sql.placeholder("shop"))));
  const mappingOf = preparedQuery(database, "mapping_of", (d) => d.select().from(shopAccounts)
    .where(and(eq(shopAccounts.shop, sql.placeholder("shop")), eq(shopAccounts.accountEmail, sql.placeholder("email")), eq(shopAccounts.source, sql.placeholder("source")))));
  const newestOwnEmail = database.statement<{ account_email: string }>(`select account_email from shop_accounts
    where shop = @shop and source in ('subscription', 'purchase') order by updated_at desc, id desc limit 1`);
  const insertAccount = database.statement("insert into accounts (email, status, owner) values (@email, 'pending', @owner) on conflict (email) do nothing");
  const reopenFailed = database.statement("update accounts set status = 'pending', updated_at = @now where email = @email and status = 'failed'");
  const retireOtherOwn = database.statement(`update shop_accounts set access = 'inactive', updated_at = @now
    where shop = @shop and source in ('subscription', 'purchase') and account_email != @email and access = 'active'`);
  const upsertMapping = database.statement(`insert into shop_accounts (shop, account_email, source, source_ref, customer_id, access, claim, created_at, updated_at)
      values (@shop, @email, @source, @sourceRef, @customerId, 'active', @claim, @now, @now)
    on conflict (shop, account_email, source) do update set source_ref = excluded.source_ref, customer_id = excluded.customer_id,
      access = 'active', claim = excluded.claim, updated_at = excluded.updated_at`);
  const deactivateOwn = database.statement(`update shop_accounts set access = 'inactive', updated_at = @now
    where shop = @shop and source in ('subscription', 'purchase') and access = 'active'`);

  const store = {
    async getAccount(email: string, tx?: Db): Promise<AccountRow | undefined> {
      return (await accountByEmail({ email }, tx))[0];
    },

    async getShop(domain: string, tx?: Db): Promise<ShopRow | undefined> {
      return (await shopByDomain({ shop: domain }, tx))[0];
    },

    /** Creates the shop row if missing and applies `changes`. */
    async upsertShop(domain: string, changes: Partial<Omit<ShopRow, "domain" | "createdAt">>, tx: Db = db): Promise<void> {
      await tx.insert(shops).values({ domain, ...changes })
        .onConflictDoUpdate({ target: shops.domain, set: { ...changes, updatedAt: new Date() } });
    },

    /** The email of the shop's newest own mapping (its account before `shops.account_email` was kept). */
    async latestOwnAccountEmail(shop: string, tx?: Db): Promise<string | undefined> {
      return (await newestOwnEmail.get({ shop }, tx))?.account_email;
    },

    /**
     * Grants `shop` (or the order's buyer) the account of `email`, creating the account row as
     * `pending`, for this owner, when new. Whether the mapping may use the account is its claim
     * (`account-owner.ts`). For a shop's own account, any other own mapping of the shop is
     * retired: a shop uses one account. Run it inside a transaction (`tx`).
     */
    async mapShopToAccount(input: MappingInput, tx: Db): Promise<{ account: AccountRow; claim: ClaimState }> {
      const now = Date.now();
      const owner = accountOwner(input);
      await insertAccount.run({ email: input.email, owner }, tx);
      await reopenFailed.run({ now, email: input.email }, tx); // a failed account gets another go with the new purchase
      const account = (await store.getAccount(input.email, tx))!;
      const existing = (await mappingOf({ shop: input.shop, email: input.email, source: input.source }, tx))[0];
      const heldBefore = existing?.claim === "verified" && accountOwner(existing) === owner;
      const claim = claimFor({ owner, heldBefore, account });
      if (input.source !== "order") await retireOtherOwn.run({ now, shop: input.shop, email: input.email }, tx);
      await upsertMapping.run({ shop: input.shop, email: input.email, source: input.source, sourceRef: input.sourceRef, customerId: input.customerId ?? null, claim, now }, tx);
      return { account, claim };
    },

    /** Withdraws the shop's access to its own account(s); resolves with how many mappings changed. */
    async deactivateShopAccess(shop: string, tx?: Db): Promise<number> {
      return deactivateOwn.run({ now: Date.now(), shop }, tx);
    },

    /** The plan and usage as GetAccount gave them (the account exists at MouseStats). */
    async recordUsage(email: string, account: MouseStatsAccount, now: Date, tx: Db = db): Promise<void> {
      await tx.update(accounts).set({
        status: "active", planName: account.planName, planDaysLeft: account.planDaysLeft,
        heatmapProjects: account.usage.heatmapProjects, playbackProjects: account.usage.playbackProjects,
        heatmapVisits: account.usage.heatmapVisits, playbackVisits: account.usage.playbackVisits,
        usageCheckedAt: now, lastError: null, failedSince: null, updatedAt: now,
      }).where(eq(accounts.email, email));
    },

    /**
     * Provisioning found the account at MouseStats: `active`, made by this app or not, and every
     * mapping still waiting learns whether it may use it: only the owner the app created it for.
     */
    confirmAccount(email: string, account: MouseStatsAccount, options: { createdByApp: boolean; now: Date }): Promise<void> {
      return database.transaction(async (tx) => {
        await store.recordUsage(email, account, options.now, tx);
        if (options.createdByApp) await tx.update(accounts).set({ createdByApp: true }).where(eq(accounts.email, email));
        const row = (await store.getAccount(email, tx))!;
        for (const m of await tx.select().from(shopAccounts).where(and(eq(shopAccounts.accountEmail, email), eq(shopAccounts.claim, "pending")))) {
          const claim: ClaimState = row.createdByApp && accountOwner(m) === row.owner ? "verified" : "needs_review";
          await tx.update(shopAccounts).set({ claim, updatedAt: options.now }).where(eq(shopAccounts.id, m.id));
        }
      });
    },

    /** About to send CreateAccount: committed first, so a lost reply still leaves the account known as ours. */
    async markCreateAttempted(email: string, now: Date): Promise<void> {
      await db.update(accounts).set({ createAttemptedAt: now, updatedAt: now }).where(eq(accounts.email, email));
    },

    /** CreateAccount's reply; `notOurs` when MouseStats said the account already existed. */
    async recordCreateReply(email: string, reply: string, options: { notOurs: boolean }): Promise<void> {
      await db.update(accounts).set({ createReply: reply, ...(options.notOurs ? { createAttemptedAt: null } : {}), updatedAt: new Date() })
        .where(eq(accounts.email, email));
    },

    /** `failed` with a reason a merchant can read, or (still `pending`) the last transient problem. */
    async recordAccountError(email: string, reason: string, options: { failed: boolean; now?: Date }): Promise<void> {
      const now = options.now ?? new Date();
      const byEmail = eq(accounts.email, email);
      await db.update(accounts).set({
        lastError: reason, updatedAt: now,
        ...(options.failed ? { status: "failed" as const, failedSince: sql`coalesce(${accounts.failedSince}, ${now.getTime()})` } : {}),
      }).where(options.failed ? byEmail : and(byEmail, ne(accounts.status, "active")));
    },

    /** Back to `pending` for a retry; false when the account is not known or already active. */
    async resetForRetry(email: string, tx: Db = db): Promise<boolean> {
      const changed = await tx.update(accounts).set({ status: "pending", lastError: null, updatedAt: new Date() })
        .where(and(eq(accounts.email, email), ne(accounts.status, "active"))).returning({ email: accounts.email });
      return changed.length === 1;
    },
  };
  return store;
}

export type AccountStore = ReturnType<typeof createAccountStore>;
