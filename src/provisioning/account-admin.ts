import { and, desc, eq, inArray, isNotNull, ne, or } from "../db/drizzle.ts";
import type { AppDatabase, Db } from "../db/app-database.ts";
import { accounts, shopAccounts, shopBilling, shops } from "../db/schema.ts";
import { accountOwner } from "./account-owner.ts";
import { createAccountStore, SHOP_OWNED_SOURCES } from "./account-store.ts";
import { JOB_KINDS, provisionAccountKey, type AppJobQueue } from "./job-kinds.ts";
import { lockShopAccess } from "./shop-access-lock.ts";

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
    .orderBy(desc(accounts.updatedAt), shopAccounts.id);
}

/** Everything known about an email or a shop domain. */
export async function describeAccounts(db: Db, emailOrShop: string) {
  const mappings = await db.select().from(shopAccounts)
    .where(or(eq(shopAccounts.accountEmail, emailOrShop), eq(shopAccounts.shop, emailOrShop)));
  const emails = new Set([...mappings.map((m) => m.accountEmail), emailOrShop]);
  const [shopRow] = await db.select().from(shops).where(eq(shops.domain, emailOrShop));
  const found = [];
  for (const email of emails) {
    const [account] = await db.select().from(accounts).where(eq(accounts.email, email));
    if (account) found.push({ account, shops: mappings.filter((m) => m.accountEmail === email) });
  }
  const billing = await db.select().from(shopBilling).where(eq(shopBilling.shop, emailOrShop));
  return shopRow ? [{ shop: shopRow, billing }, ...found] : found;
}

/** Puts a failed (or stuck pending) account back in the queue: the operator CLI, the page's Retry and the hourly re-drive. */
export async function retryAccount(database: AppDatabase, queue: AppJobQueue, email: string): Promise<"queued" | "unknown account" | "already active"> {
  const store = createAccountStore(database);
  const account = await store.getAccount(email);
  if (!account) return "unknown account";
  if (account.status === "active") return "already active";
  await database.transaction(async (tx) => {
    await store.resetForRetry(email, tx);
    await queue.enqueue(JOB_KINDS.provisionAccount, { email }, { tx, idempotencyKey: provisionAccountKey(email) });
  });
  return "queued";
}

/** Every mapping that waits for an operator: an account that exists at MouseStats but was not shown to be the shop's (or buyer's). */
export function listNeedsReview(db: Db) {
  return db.select({
    shop: shopAccounts.shop, email: shopAccounts.accountEmail, source: shopAccounts.source, sourceRef: shopAccounts.sourceRef,
    customerId: shopAccounts.customerId, createdByApp: accounts.createdByApp, owner: accounts.owner, since: shopAccounts.updatedAt,
  }).from(shopAccounts).innerJoin(accounts, eq(accounts.email, shopAccounts.accountEmail))
    .where(eq(shopAccounts.claim, "needs_review")).orderBy(shopAccounts.updatedAt);
}

/**
 * The operator confirms that `shop` (or its buyer) owns the account of `email`: its waiting
 * mappings may use it from now on, and the account counts as theirs.
 */
export function adoptAccount(database: AppDatabase, email: string, shop: string): Promise<"adopted" | "nothing to adopt"> {
  return database.transaction(async (tx) => {
    const waiting = await tx.select().from(shopAccounts)
      .where(and(eq(shopAccounts.accountEmail, email), eq(shopAccounts.shop, shop), ne(shopAccounts.claim, "verified")));
    if (waiting.length === 0) return "nothing to adopt";
    await tx.update(shopAccounts).set({ claim: "verified", updatedAt: new Date() }).where(inArray(shopAccounts.id, waiting.map((m) => m.id)));
    await tx.update(accounts).set({ owner: accountOwner(waiting[0]!), updatedAt: new Date() }).where(eq(accounts.email, email));
    return "adopted";
  });
}

/**
 * The operator moves a shop to another account on purpose (a shop's account email never moves
 * by itself). The shop keeps its access and billing; the new account is provisioned if needed
 * and counts as the shop's, since the operator vouches for it.
 */
export function moveShopAccount(database: AppDatabase, queue: AppJobQueue, shop: string, email: string): Promise<"moved" | "moved (applies at the next subscription)" | "unknown shop"> {
  const store = createAccountStore(database);
  return database.transaction(async (tx) => {
    await lockShopAccess(database, shop, tx);
    if (!(await store.getShop(shop, tx))) return "unknown shop";
    await store.upsertShop(shop, { accountEmail: email }, tx);
    const [current] = await tx.select().from(shopAccounts)
      .where(and(eq(shopAccounts.shop, shop), inArray(shopAccounts.source, [...SHOP_OWNED_SOURCES]), eq(shopAccounts.access, "active"))).limit(1);
    if (!current) return "moved (applies at the next subscription)";
    const { account } = await store.mapShopToAccount({ shop, email, source: current.source, sourceRef: current.sourceRef }, tx);
    await tx.update(shopAccounts).set({ claim: "verified" })
      .where(and(eq(shopAccounts.shop, shop), eq(shopAccounts.accountEmail, email), eq(shopAccounts.source, current.source)));
    await tx.update(accounts).set({ owner: accountOwner({ shop, source: current.source }) }).where(eq(accounts.email, email));
    if (account.status !== "active") await queue.enqueue(JOB_KINDS.provisionAccount, { email }, { tx, idempotencyKey: provisionAccountKey(email) });
    return "moved";
  });
}
