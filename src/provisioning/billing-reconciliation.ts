import { eq } from "../db/drizzle.ts";
import type { AppDatabase, Db } from "../db/app-database.ts";
import { shopBilling } from "../db/schema.ts";
import { enqueuePlanned } from "../queue/job-queue.ts";
import type { JobHandler } from "../queue/job-handler.ts";
import type { BillingObject } from "../shopify/shopify-admin.ts";
import { ENDED_STATUSES } from "../shopify/billing-status.ts";
import { createAccountStore } from "./account-store.ts";
import { JOB_KINDS, reconcileBillingKey, type AppJob, type AppJobQueue, type JobPayloads } from "./job-kinds.ts";

export interface ReconciliationInput {
  shop: string;
  /** `BILLING_PLAN_NAME`: only this plan grants access. */
  planName: string;
  /** What Shopify says now. */
  shopify: readonly BillingObject[];
  /** What we recorded, per subscription or purchase. */
  known: ReadonlyArray<{ sourceRef: string; status: string }>;
  nowMs: number;
}

/**
 * Pure: the billing jobs a webhook would have planned, for every object whose status Shopify
 * reports differently from what we recorded (a lost `app_subscriptions/update` or
 * `app_purchases_one_time/update`). Shopify's answer is the truth, dated now: a delivery from
 * before it that arrives later changes nothing.
 */
export function planBillingReconciliation(input: ReconciliationInput): AppJob[] {
  const known = new Map(input.known.map((k) => [k.sourceRef, k.status]));
  const order = { eventAtMs: input.nowMs, triggeredAtMs: input.nowMs, receivedAtMs: input.nowMs };
  const jobs: AppJob[] = [];
  for (const o of input.shopify) {
    const ours = known.get(o.id);
    if (o.status === "ACTIVE" && o.name === input.planName && ours !== "ACTIVE") {
      const payload: JobPayloads["activate-shop"] = { shop: input.shop, source: o.source, sourceRef: o.id, status: o.status, ...order };
      jobs.push({ kind: JOB_KINDS.activateShop, payload });
    } else if (ENDED_STATUSES.has(o.status) && ours === "ACTIVE") {
      const payload: JobPayloads["deactivate-shop"] = { shop: input.shop, source: o.source, sourceRef: o.id, reason: o.status, ...order };
      jobs.push({ kind: JOB_KINDS.deactivateShop, payload });
    }
  }
  return jobs;
}

/** How a job reads a shop's billing from Shopify; `null` when the app has no session for the shop (not installed). */
export type BillingStateReader = (shop: string, signal: AbortSignal) => Promise<BillingObject[] | null>;

export interface BillingReconciliationDeps {
  database: AppDatabase;
  queue: AppJobQueue;
  readBillingState: BillingStateReader;
  planName: string;
  onEnqueued: () => void;
  now: () => number;
}

/**
 * `reconcile-billing`: ask Shopify for the shop's subscriptions and purchases and apply what
 * disagrees with ours through the same jobs a webhook would plan. Run when the page finds the
 * shop without access, when the merchant comes back from the charge confirmation, and by the
 * daily sweep.
 */
export function reconcileBillingHandler(deps: BillingReconciliationDeps): JobHandler<JobPayloads["reconcile-billing"]> {
  const { database, queue } = deps;
  const store = createAccountStore(database);
  return {
    async run({ shop, why }, { signal, logger }) {
      const shopify = await deps.readBillingState(shop, signal);
      const nowMs = deps.now();
      const planned = await database.transaction(async (tx) => {
        await store.upsertShop(shop, { billingCheckedAt: new Date(nowMs) }, tx);
        if (shopify === null) return [];
        const known = await tx.select({ sourceRef: shopBilling.sourceRef, status: shopBilling.status }).from(shopBilling).where(eq(shopBilling.shop, shop));
        const jobs = planBillingReconciliation({ shop, planName: deps.planName, shopify, known, nowMs });
        for (const job of jobs) await enqueuePlanned(queue, job, { tx });
        return jobs;
      });
      if (planned.length > 0) deps.onEnqueued();
      logger.info({ why, installed: shopify !== null, fromShopify: shopify?.length ?? 0, corrections: planned.map((j) => j.kind) }, "billing checked with Shopify");
    },
  };
}

/** Queues a billing check for the shop (at most one waiting); `page` checks are spaced `minGapMs` apart. */
export async function requestBillingCheck(deps: { database: AppDatabase; queue: AppJobQueue; now: () => number }, shop: string, why: JobPayloads["reconcile-billing"]["why"], minGapMs = 30_000, tx?: Db): Promise<boolean> {
  const checkedAt = (await createAccountStore(deps.database).getShop(shop, tx))?.billingCheckedAt?.getTime();
  if (why === "page" && checkedAt !== undefined && deps.now() - checkedAt < minGapMs) return false;
  return deps.queue.enqueue(JOB_KINDS.reconcileBilling, { shop, why }, { tx, idempotencyKey: reconcileBillingKey(shop) });
}
