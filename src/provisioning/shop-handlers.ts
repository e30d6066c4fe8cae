import { and, desc, eq, lte, sql } from "../db/drizzle.ts";
import type { Database } from "../db/client.ts";
import { shopBilling, shopifySessions } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { JobHandler } from "../queue/worker.ts";
import { createAccountStore, type MappingInput } from "./account-store.ts";
import { JOB_KINDS, provisionAccountKey, type BillingEventOrder, type JobPayloads } from "./job-kinds.ts";

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
  database: Database;
  queue: JobQueue;
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
  const { db } = database;
  const store = createAccountStore(db);
  // Prepared once, like the store's statements: billing events come in bursts (account-store.ts).
  const recordBilling = database.sqlite.prepare(`insert into shop_billing (shop, source_ref, source, status, event_at, triggered_at, received_at)
      values (@shop, @sourceRef, @source, @status, @eventAt, @triggeredAt, @receivedAt)
    on conflict (shop, source_ref) do update set status = excluded.status, event_at = excluded.event_at,
      triggered_at = excluded.triggered_at, received_at = excluded.received_at
    -- Newest wins: updated_at (to the second), then X-Shopify-Triggered-At, then arrival.
    where (excluded.event_at, coalesce(excluded.triggered_at, 0), coalesce(excluded.received_at, 0))
      >= (shop_billing.event_at, coalesce(shop_billing.triggered_at, 0), coalesce(shop_billing.received_at, 0))`);
  const newestActive = db.select().from(shopBilling).where(and(eq(shopBilling.shop, sql.placeholder("shop")), eq(shopBilling.status, "ACTIVE")))
    .orderBy(desc(shopBilling.eventAt)).limit(1).prepare();

  /** Maps the account and queues its provisioning when it is not known to exist yet; true when queued. */
  const mapAndProvision = (input: MappingInput) => {
    const { account, claim } = store.mapShopToAccount(input);
    const provision = account.status !== "active";
    if (provision) queue.enqueue({ kind: JOB_KINDS.provisionAccount, payload: { email: input.email }, idempotencyKey: provisionAccountKey(input.email) });
    return { provision, claim };
  };

  /**
   * The email of the shop's own account: the one it was first provisioned with, whatever the
   * shop's email became since (token exchange writes that anew). Only a shop never provisioned
   * takes its current email (asking Shopify when we have none).
   */
  const knownAccountEmail = (shop: string) => {
    const row = store.getShop(shop);
    return row?.accountEmail ?? store.latestOwnAccountEmail(shop) ?? row?.email ?? undefined;
  };
  async function resolveAccountEmail(shop: string): Promise<string> {
    const known = knownAccountEmail(shop);
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
    store.upsertShop(shop, { email, ...(info.name ? { name: info.name } : {}) });
    return email;
  }

  /** Records the event if it is the newest for its object, then grants or withdraws the shop's access. */
  const applyBilling = database.sqlite.transaction((e: BillingEvent, email: string | undefined): BillingOutcome => {
    // A late delivery from before an uninstall must not bring back what the uninstall ended.
    const shopRow = store.getShop(e.shop);
    const uninstalledAt = shopRow?.uninstalledAt?.getTime();
    if (uninstalledAt !== undefined && e.eventAtMs <= uninstalledAt) return "unchanged";
    recordBilling.run({
      shop: e.shop, sourceRef: e.sourceRef, source: e.source, status: e.status, eventAt: e.eventAtMs,
      triggeredAt: e.triggeredAtMs ?? null, receivedAt: e.receivedAtMs ?? null,
    });
    const active = newestActive.get({ shop: e.shop });
    if (!active) {
      if (store.deactivateShopAccess(e.shop) === 0) return "unchanged";
      queue.enqueue({ kind: JOB_KINDS.withdrawTracking, payload: { shop: e.shop } });
      return "withdrawn";
    }
    if (!email) return "unchanged"; // access comes from another object, granted when its event was applied
    if (!shopRow?.accountEmail) store.upsertShop(e.shop, { accountEmail: email });
    const { provision, claim } = mapAndProvision({ shop: e.shop, email, source: active.source, sourceRef: active.sourceRef });
    return provision ? "provisioning" : claim === "needs_review" ? "needs_review" : "granted";
  });

  async function handleBillingEvent(e: BillingEvent, logger: Logger): Promise<void> {
    const email = e.status === "ACTIVE" ? await resolveAccountEmail(e.shop) : knownAccountEmail(e.shop);
    const outcome = applyBilling(e, email);
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
      const { provision } = database.sqlite.transaction(() =>
        mapAndProvision({ shop: p.shop, email: p.email, source: "order", sourceRef: p.orderId, customerId: p.customerId ?? null }))();
      if (provision) deps.onEnqueued();
    },
  };

  const uninstallShop: JobHandler<JobPayloads["uninstall-shop"]> = {
    async run(p, { logger }) {
      // Uninstall may arrive late, twice, or after a reinstall began: the event time decides.
      const deleted = database.sqlite.transaction(() => {
        const shop = store.getShop(p.shop);
        if (shop?.installedAt && shop.installedAt.getTime() > p.eventAtMs) return undefined;
        store.upsertShop(p.shop, { uninstalledAt: new Date(p.eventAtMs) });
        // Shopify cancels the app's charges on uninstall; what was billed before it is over.
        db.delete(shopBilling).where(and(eq(shopBilling.shop, p.shop), lte(shopBilling.eventAt, new Date(p.eventAtMs)))).run();
        // The site ID went with the app installation: a reinstall starts without tracking.
        store.deactivateShopAccess(p.shop);
        return db.delete(shopifySessions).where(eq(shopifySessions.shop, p.shop)).run().changes;
      })();
      logger.info({ sessionsDeleted: deleted ?? "reinstalled since; ignored" }, "shop uninstalled");
    },
  };

  const recordScopes: JobHandler<JobPayloads["record-scopes"]> = {
    async run(p) {
      store.upsertShop(p.shop, { scopes: p.scopes.join(",") });
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
