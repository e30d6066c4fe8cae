import { and, desc, eq, lte, sql } from "../db/drizzle.ts";
import type { AppDatabase, Db } from "../db/app-database.ts";
import { preparedQuery } from "../db/prepared-query.ts";
import { shopBilling, shopifySessions } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { JobHandler } from "../queue/job-handler.ts";
import { createAccountStore, type MappingInput } from "./account-store.ts";
import { JOB_KINDS, provisionAccountKey, type AppJobQueue, type BillingEventOrder, type JobPayloads } from "./job-kinds.ts";
import { lockShopAccess } from "./shop-access-lock.ts";

/** Where a shop's email comes from when the shop row has none (Admin API `shop` query). */
export interface ShopEmailLookup {
  /** @throws ShopNotInstalledError (permanent) or Shopify errors (retried) */
  lookupShop(shop: string): Promise<{ email: string | null; name: string | null }>;
  /** True for errors no retry can fix, e.g. a shop that never installed the app. */
  isPermanent(err: unknown): boolean;
}

interface BillingEvent extends BillingEventOrder {
  shop: string;
  source: "subscription" | "purchase";
  sourceRef: string;
  status: string;
}

type BillingOutcome = "provisioning" | "granted" | "needs_review" | "withdrawn" | "unchanged";

export interface ShopHandlerDeps {
  database: AppDatabase;
  queue: AppJobQueue;
  shopEmails: ShopEmailLookup;
  /** Wakes the worker after a job was enqueued. */
  onEnqueued: () => void;
}

/**
 * Handlers for the shop-level billing and lifecycle jobs. Billing events are applied per
 * subscription or purchase (`shop_billing`), so deliveries in any order end in the same access.
 */
export function createShopHandlers(deps: ShopHandlerDeps) {
  const { database, queue } = deps;
  const store = createAccountStore(database);
  // Prepared once, like the store's statements: billing events come in bursts (account-store.ts).
  const recordBilling = database.statement(`insert into shop_billing (shop, source_ref, source, status, event_at, triggered_at, received_at)
      values (@shop, @sourceRef, @source, @status, @eventAt, @triggeredAt, @receivedAt)
    on conflict (shop, source_ref) do update set status = excluded.status, event_at = excluded.event_at,
      triggered_at = excluded.triggered_at, received_at = excluded.received_at
    -- Newest wins: updated_at (to the second), then X-Shopify-Triggered-At, then arrival.
    where (excluded.event_at, coalesce(excluded.triggered_at, 0), coalesce(excluded.received_at, 0))
      >= (shop_billing.event_at, coalesce(shop_billing.triggered_at, 0), coalesce(shop_billing.received_at, 0))`);
  const newestActive = preparedQuery(database, "newest_active_billing", (d) => d.select().from(shopBilling)
    .where(and(eq(shopBilling.shop, sql.placeholder("shop")), eq(shopBilling.status, "ACTIVE"))).orderBy(desc(shopBilling.eventAt)).limit(1));

  /** Maps the account and queues its provisioning when it is not known to exist yet; true when queued. */
  const mapAndProvision = async (input: MappingInput, tx: Db) => {
    const { account, claim } = await store.mapShopToAccount(input, tx);
    const provision = account.status !== "active";
    if (provision) await queue.enqueue(JOB_KINDS.provisionAccount, { email: input.email }, { tx, idempotencyKey: provisionAccountKey(input.email) });
    return { provision, claim };
  };

  /**
   * The email of the shop's own account: the one it was first provisioned with, whatever the
   * shop's email became since (token exchange writes that anew). Only a shop never provisioned
   * takes its current email (asking Shopify when we have none).
   */
  const knownAccountEmail = async (shop: string) => {
    const row = await store.getShop(shop);
    return row?.accountEmail ?? (await store.latestOwnAccountEmail(shop)) ?? row?.email ?? undefined;
  };
  async function resolveAccountEmail(shop: string): Promise<string> {
    const known = await knownAccountEmail(shop);
    if (known) return known;
    let info: { email: string | null; name: string | null };
    try {
      info = await deps.shopEmails.lookupShop(shop);
    } catch (err) {
      if (deps.shopEmails.isPermanent(err)) {
        throw new PermanentJobError(`Cannot learn the email of ${shop}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      throw err;
    }
    const email = info.email?.trim().toLowerCase();
    if (!email) throw new PermanentJobError(`Shopify has no email for ${shop}.`);
    await store.upsertShop(shop, { email, ...(info.name ? { name: info.name } : {}) });
    return email;
  }

  /** Records the event if it is the newest for its object, then grants or withdraws the shop's access. */
  const applyBilling = (e: BillingEvent, email: string | undefined) => database.transaction(async (tx): Promise<BillingOutcome> => {
    await lockShopAccess(database, e.shop, tx);
    // A late delivery from before an uninstall must not bring back what the uninstall ended.
    const shopRow = await store.getShop(e.shop, tx);
    const uninstalledAt = shopRow?.uninstalledAt?.getTime();
    if (uninstalledAt !== undefined && e.eventAtMs <= uninstalledAt) return "unchanged";
    await recordBilling.run({
      shop: e.shop, sourceRef: e.sourceRef, source: e.source, status: e.status, eventAt: e.eventAtMs,
      triggeredAt: e.triggeredAtMs ?? null, receivedAt: e.receivedAtMs ?? null,
    }, tx);
    const active = (await newestActive({ shop: e.shop }, tx))[0];
    if (!active) {
      if (await store.deactivateShopAccess(e.shop, tx) === 0) return "unchanged";
      await queue.enqueue(JOB_KINDS.withdrawTracking, { shop: e.shop }, { tx });
      return "withdrawn";
    }
    if (!email) return "unchanged"; // access comes from another object, granted when its event was applied
    if (!shopRow?.accountEmail) await store.upsertShop(e.shop, { accountEmail: email }, tx);
    const { provision, claim } = await mapAndProvision({ shop: e.shop, email, source: active.source, sourceRef: active.sourceRef }, tx);
    return provision ? "provisioning" : claim === "needs_review" ? "needs_review" : "granted";
  });

  async function handleBillingEvent(e: BillingEvent, logger: Logger): Promise<void> {
    const email = e.status === "ACTIVE" ? await resolveAccountEmail(e.shop) : await knownAccountEmail(e.shop);
    const outcome = await applyBilling(e, email);
    logger.info({ status: e.status, sourceRef: e.sourceRef, outcome }, "billing event applied");
    if (outcome === "provisioning" || outcome === "withdrawn") deps.onEnqueued();
  }

  const activateShop: JobHandler<JobPayloads["activate-shop"]> = {
    run: (p, { logger }) => handleBillingEvent(p, logger),
  };
  const deactivateShop: JobHandler<JobPayloads["deactivate-shop"]> = {
    // Only the object that ended: approving a replacement cancels the old one.
    run: (p, { logger }) => handleBillingEvent({ ...p, source: p.source ?? "subscription", status: p.reason }, logger),
  };

  const provisionOrder: JobHandler<JobPayloads["provision-order"]> = {
    async run(p) {
      const { provision } = await database.transaction((tx) =>
        mapAndProvision({ shop: p.shop, email: p.email, source: "order", sourceRef: p.orderId, customerId: p.customerId ?? null }, tx));
      if (provision) deps.onEnqueued();
    },
  };

  const uninstallShop: JobHandler<JobPayloads["uninstall-shop"]> = {
    async run(p, { logger }) {
      // Uninstall may arrive late, twice, or after a reinstall began: the event time decides.
      const deleted = await database.transaction(async (tx) => {
        await lockShopAccess(database, p.shop, tx);
        const shop = await store.getShop(p.shop, tx);
        if (shop?.installedAt && shop.installedAt.getTime() > p.eventAtMs) return undefined;
        await store.upsertShop(p.shop, { uninstalledAt: new Date(p.eventAtMs) }, tx);
        // Shopify cancels the app's charges on uninstall; what was billed before it is over.
        await tx.delete(shopBilling).where(and(eq(shopBilling.shop, p.shop), lte(shopBilling.eventAt, new Date(p.eventAtMs))));
        // The site ID went with the app installation: a reinstall starts without tracking.
        await store.deactivateShopAccess(p.shop, tx);
        // A session stored after this webhook reached us came from a token exchange Shopify answered
        // after sending it: a reinstall under way, whose page stores the session before it records
        // the shop. It stays. At worst it holds a token revoked just after that exchange; the shop
        // is marked uninstalled all the same, so the next visit exchanges anew instead of using it
        // (offline-access.ts) and shop/redact deletes it 48 hours after the uninstall.
        const storedBefore = p.receivedAtMs === undefined ? undefined : lte(shopifySessions.updatedAt, new Date(p.receivedAtMs));
        return (await tx.delete(shopifySessions).where(and(eq(shopifySessions.shop, p.shop), storedBefore)).returning({ id: shopifySessions.id })).length;
      });
      logger.info({ sessionsDeleted: deleted ?? "reinstalled since; ignored" }, "shop uninstalled");
    },
  };

  const recordScopes: JobHandler<JobPayloads["record-scopes"]> = {
    async run(p) {
      await store.upsertShop(p.shop, { scopes: p.scopes.join(",") });
    },
  };

  return {
    [JOB_KINDS.activateShop]: activateShop,
    [JOB_KINDS.deactivateShop]: deactivateShop,
    [JOB_KINDS.provisionOrder]: provisionOrder,
    [JOB_KINDS.uninstallShop]: uninstallShop,
    [JOB_KINDS.recordScopes]: recordScopes,
  };
}
