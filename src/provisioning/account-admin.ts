import { and, desc, eq, inArray, isNotNull, ne, or } from "../db/drizzle.ts";
import type { Database, Db } from "../db/client.ts";
import { accounts, shopAccounts, shopBilling, shops } from "../db/schema.ts";
import { accountOwner } from "./account-owner.ts";
import { createAccountStore, SHOP_OWNED_SOURCES } from "./account-store.ts";
import { JOB_KINDS, provisionAccountKey } from "./job-kinds.ts";
import type { JobQueue } from "../queue/job-queue.ts";

export interface ListAccountsOptions {
  /** Only accounts whose provisioning failed, or that are retrying after an error. */
  failed?: boolean;
}

/**
 * Support staff's view of accounts (the `accounts` CLI): one row per shop that may use an
 * account, with its access and why the row exists (subscription, purchase or order, and the
 * billing object or order behind it); an account no shop holds yet has one row without a shop.
 */
export function listAccounts(db: Db, options: ListAccountsOptions = {}) {
  const stuck = or(eq(accounts.status, "failed"), and(eq(accounts.status, "pending"), isNotNull(accounts.lastError)));
  return db.select({
    email: accounts.email, status: accounts.status, shop: shopAccounts.shop, access: shopAccounts.access,
    source: shopAccounts.source, sourceRef: shopAccounts.sourceRef, plan: accounts.planName, daysLeft: accounts.planDaysLeft,
    error: accounts.lastError,
  }).from(accounts).leftJoin(shopAccounts, eq(shopAccounts.accountEmail, accounts.email))
    .where(options.failed ? stuck : undefined)
    .orderBy(desc(accounts.updatedAt), shopAccounts.id).all();
}

/** Everything known about an email or a shop domain. */
export function describeAccounts(db: Db, emailOrShop: string) {
  const mappings = db.select().from(shopAccounts)
    .where(or(eq(shopAccounts.accountEmail, emailOrShop), eq(shopAccounts.shop, emailOrShop))).all();
  const emails = new Set([...mappings.map((m) => m.accountEmail), emailOrShop]);
  const shopRow = db.select().from(shops).where(eq(shops.domain, emailOrShop)).get();
  const found = [...emails].flatMap((email) => {
    const account = db.select().from(accounts).where(eq(accounts.email, email)).get();
    return account ? [{ account, shops: mappings.filter((m) => m.accountEmail === email) }] : [];
  });
  const billing = db.select().from(shopBilling).where(eq(shopBilling.shop, emailOrShop)).all();
  return shopRow ? [{ shop: shopRow, billing }, ...found] : found;
}

/** Puts a failed (or stuck pending) account back in the queue: the operator CLI and the page's Retry. */
export function retryAccount(database: Database, queue: JobQueue, email: string): "queued" | "unknown account" | "already active" {
  const store = createAccountStore(database.db);
  const account = store.getAccount(email);
  if (!account) return "unknown account";
  if (account.status === "active") return "already active";
  database.sqlite.transaction(() => {
    store.resetForRetry(email);
    queue.enqueue({ kind: JOB_KINDS.provisionAccount, payload: { email }, idempotencyKey: provisionAccountKey(email) });
  })();
  return "queued";
}

/** Every mapping that waits for an operator: an account that exists at MouseStats but was not shown to be the shop's (or buyer's). */
export function listNeedsReview(db: Db) {
  return db.select({
    shop: shopAccounts.shop, email: shopAccounts.accountEmail, source: shopAccounts.source, sourceRef: shopAccounts.sourceRef,
    customerId: shopAccounts.customerId, createdByApp: accounts.createdByApp, owner: accounts.owner, since: shopAccounts.updatedAt,
  }).from(shopAccounts).innerJoin(accounts, eq(accounts.email, shopAccounts.accountEmail))
    .where(eq(shopAccounts.claim, "needs_review")).orderBy(shopAccounts.updatedAt).all();
}

/**
 * The operator confirms that `shop` (or its buyer) owns the account of `email`: its waiting
 * mappings may use it from now on, and the account counts as theirs.
 */
export function adoptAccount(database: Database, email: string, shop: string): "adopted" | "nothing to adopt" {
  return database.sqlite.transaction(() => {
    const waiting = database.db.select().from(shopAccounts)
      .where(and(eq(shopAccounts.accountEmail, email), eq(shopAccounts.shop, shop), ne(shopAccounts.claim, "verified"))).all();
    if (waiting.length === 0) return "nothing to adopt";
    database.db.update(shopAccounts).set({ claim: "verified", updatedAt: new Date() }).where(inArray(shopAccounts.id, waiting.map((m) => m.id))).run();
    database.db.update(accounts).set({ owner: accountOwner(waiting[0]!), updatedAt: new Date() }).where(eq(accounts.email, email)).run();
    return "adopted";
  })();
}

/**
 * The operator moves a shop to another account on purpose (a shop's account email never moves
 * by itself). The shop keeps its access and billing; the new account is provisioned if needed
 * and counts as the shop's, since the operator vouches for it.
 */
export function moveShopAccount(database: Database, queue: JobQueue, shop: string, email: string): "moved" | "moved (applies at the next subscription)" | "unknown shop" {
  const store = createAccountStore(database.db);
  return database.sqlite.transaction(() => {
    if (!store.getShop(shop)) return "unknown shop";
    store.upsertShop(shop, { accountEmail: email });
    const current = database.db.select().from(shopAccounts)
      .where(and(eq(shopAccounts.shop, shop), inArray(shopAccounts.source, [...SHOP_OWNED_SOURCES]), eq(shopAccounts.access, "active"))).get();
    if (!current) return "moved (applies at the next subscription)";
    const { account } = store.mapShopToAccount({ shop, email, source: current.source, sourceRef: current.sourceRef });
    database.db.update(shopAccounts).set({ claim: "verified" })
      .where(and(eq(shopAccounts.shop, shop), eq(shopAccounts.accountEmail, email), eq(shopAccounts.source, current.source))).run();
    database.db.update(accounts).set({ owner: accountOwner({ shop, source: current.source }) }).where(eq(accounts.email, email)).run();
    if (account.status !== "active") queue.enqueue({ kind: JOB_KINDS.provisionAccount, payload: { email }, idempotencyKey: provisionAccountKey(email) });
    return "moved";
  })();
}
