import { and, desc, eq, isNotNull, or } from "../db/drizzle.ts";
import type { Database, Db } from "../db/client.ts";
import { accounts, shopAccounts, shopBilling, shops } from "../db/schema.ts";
import { createAccountStore } from "./account-store.ts";
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
