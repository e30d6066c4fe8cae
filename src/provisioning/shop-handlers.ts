import { and, desc, eq, lte, sql } from "../db/drizzle.ts";
import type { Database } from "../db/client.ts";
import { shopBilling, shopifySessions } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { JobHandler } from "../queue/worker.ts";
import { createAccountStore } from "./account-store.ts";
import { JOB_KINDS, provisionAccountKey, type JobPayloads } from "./job-kinds.ts";

/** Where a shop's email comes from when the shop row has none (Admin API `shop` query). */
export interface ShopEmailLookup {
  /** @throws ShopNotInstalledError (permanent) or Shopify errors (retried) */
  lookupShop(shop: string): Promise<{ email: string | null; name: string | null }>;
  /** True for errors no retry can fix, e.g. a shop that never installed the app. */
  isPermanent(err: unknown): boolean;
}

interface BillingEvent {
  shop: string;
  source: "subscription" | "purchase";
  sourceRef: string;
  status: string;
  eventAtMs: number;
}

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

  const mapAndProvision = (input: { shop: string; email: string; source: "subscription" | "purchase" | "order"; sourceRef: string }) => {
    const account = store.mapShopToAccount(input);
    if (account.status !== "active") queue.enqueue({ kind: JOB_KINDS.provisionAccount, payload: { email: input.email }, idempotencyKey: provisionAccountKey(input.email) });
    return account.status !== "active";
  };

  async function resolveShopEmail(shop: string): Promise<string> {
    const known = store.getShop(shop)?.email;
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
  const applyBilling = database.sqlite.transaction((e: BillingEvent, email: string | undefined): "provisioning" | "granted" | "withdrawn" | "unchanged" => {
    // A late delivery from before an uninstall must not bring back what the uninstall ended.
    const uninstalledAt = store.getShop(e.shop)?.uninstalledAt?.getTime();
    if (uninstalledAt !== undefined && e.eventAtMs <= uninstalledAt) return "unchanged";
    db.insert(shopBilling).values({ shop: e.shop, sourceRef: e.sourceRef, source: e.source, status: e.status, eventAt: new Date(e.eventAtMs) })
      .onConflictDoUpdate({
        target: [shopBilling.shop, shopBilling.sourceRef],
        set: { status: e.status, eventAt: new Date(e.eventAtMs) },
        setWhere: sql`excluded.event_at >= ${shopBilling.eventAt}`,
      }).run();
    const active = db.select().from(shopBilling).where(and(eq(shopBilling.shop, e.shop), eq(shopBilling.status, "ACTIVE")))
      .orderBy(desc(shopBilling.eventAt)).limit(1).get();
    if (!active) return store.deactivateShopAccess(e.shop) > 0 ? "withdrawn" : "unchanged";
    if (!email) return "unchanged"; // access comes from another object, granted when its event was applied
    return mapAndProvision({ shop: e.shop, email, source: active.source, sourceRef: active.sourceRef }) ? "provisioning" : "granted";
  });

  async function handleBillingEvent(e: BillingEvent, logger: Logger): Promise<void> {
    const email = e.status === "ACTIVE" ? await resolveShopEmail(e.shop) : store.getShop(e.shop)?.email ?? undefined;
    const outcome = applyBilling(e, email);
    logger.info({ status: e.status, sourceRef: e.sourceRef, outcome }, "billing event applied");
    if (outcome === "provisioning") deps.onEnqueued();
  }

  const activateShop: JobHandler<JobPayloads["activate-shop"]> = {
    run: (p, { logger }) => handleBillingEvent(p, logger),
  };
  const deactivateShop: JobHandler<JobPayloads["deactivate-shop"]> = {
    // Only the subscription that ended: approving a replacement cancels the old one.
    run: (p, { logger }) => handleBillingEvent({ shop: p.shop, source: "subscription", sourceRef: p.sourceRef, status: p.reason, eventAtMs: p.eventAtMs }, logger),
  };

  const provisionOrder: JobHandler<JobPayloads["provision-order"]> = {
    async run(p) {
      const enqueued = database.sqlite.transaction(() => mapAndProvision({ shop: p.shop, email: p.email, source: "order", sourceRef: p.orderId }))();
      if (enqueued) deps.onEnqueued();
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
        store.deactivateShopAccess(p.shop);
        return db.delete(shopifySessions).where(eq(shopifySessions.shop, p.shop)).run().changes;
      })();
      logger.info({ sessionsDeleted: deleted ?? "reinstalled since; ignored" }, "shop uninstalled");
    },
  };

  return {
    [JOB_KINDS.activateShop]: activateShop,
    [JOB_KINDS.deactivateShop]: deactivateShop,
    [JOB_KINDS.provisionOrder]: provisionOrder,
    [JOB_KINDS.uninstallShop]: uninstallShop,
  };
}
