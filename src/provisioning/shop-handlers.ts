import { eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { shopifySessions } from "../db/schema.ts";
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

export interface ShopHandlerDeps {
  database: Database;
  queue: JobQueue;
  shopEmails: ShopEmailLookup;
  /** Wakes the worker after a job was enqueued. */
  onEnqueued: () => void;
}

/** Handlers for the shop-level billing and lifecycle jobs. Each ignores events older than the last one applied. */
export function createShopHandlers(deps: ShopHandlerDeps) {
  const { database, queue } = deps;
  const store = createAccountStore(database.db);
  const isStale = (shop: string, eventAtMs: number) => {
    const last = store.getShop(shop)?.billingEventAt?.getTime();
    return last !== undefined && last > eventAtMs;
  };

  const mapAndProvision = database.sqlite.transaction((input: { shop: string; email: string; source: "subscription" | "purchase" | "order"; sourceRef: string }) => {
    const account = store.mapShopToAccount(input);
    if (account.status !== "active") queue.enqueue({ kind: JOB_KINDS.provisionAccount, payload: { email: input.email }, idempotencyKey: provisionAccountKey(input.email) });
    return account.status !== "active";
  });

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

  const activateShop: JobHandler<JobPayloads["activate-shop"]> = {
    async run(p, { logger }) {
      const email = await resolveShopEmail(p.shop);
      const enqueued = database.sqlite.transaction(() => {
        if (isStale(p.shop, p.eventAtMs)) return undefined;
        store.upsertShop(p.shop, { billingEventAt: new Date(p.eventAtMs), subscriptionStatus: p.status, ...(p.source === "subscription" ? { subscriptionId: p.sourceRef } : {}) });
        return mapAndProvision({ shop: p.shop, email, source: p.source, sourceRef: p.sourceRef });
      })();
      if (enqueued === undefined) logger.info("older than the last billing event applied; ignored");
      if (enqueued) deps.onEnqueued();
    },
  };

  const deactivateShop: JobHandler<JobPayloads["deactivate-shop"]> = {
    async run(p, { logger }) {
      const changed = database.sqlite.transaction(() => {
        if (isStale(p.shop, p.eventAtMs)) return undefined;
        store.upsertShop(p.shop, { billingEventAt: new Date(p.eventAtMs), subscriptionStatus: p.reason });
        // Only the subscription that ended: approving a replacement cancels the old one.
        return store.deactivateShopAccess(p.shop, p.sourceRef);
      })();
      logger.info({ reason: p.reason, mappings: changed ?? "stale" }, "shop access withdrawn");
    },
  };

  const provisionOrder: JobHandler<JobPayloads["provision-order"]> = {
    async run(p) {
      if (mapAndProvision({ shop: p.shop, email: p.email, source: "order", sourceRef: p.orderId })) deps.onEnqueued();
    },
  };

  const uninstallShop: JobHandler<JobPayloads["uninstall-shop"]> = {
    async run(p, { logger }) {
      // Uninstall may arrive late, twice, or after a reinstall began: the event time decides.
      const deleted = database.sqlite.transaction(() => {
        const shop = store.getShop(p.shop);
        if (shop?.installedAt && shop.installedAt.getTime() > p.eventAtMs) return undefined;
        store.upsertShop(p.shop, { uninstalledAt: new Date(p.eventAtMs), subscriptionStatus: null, subscriptionId: null, billingEventAt: new Date(Math.max(p.eventAtMs, shop?.billingEventAt?.getTime() ?? 0)) });
        store.deactivateShopAccess(p.shop);
        return database.db.delete(shopifySessions).where(eq(shopifySessions.shop, p.shop)).run().changes;
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
