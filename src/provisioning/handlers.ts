import type { Database } from "../db/client.ts";
import type { MouseStatsClient } from "../mousestats/client.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { JobHandler } from "../queue/worker.ts";
import type { TrackingService } from "../tracking/tracking-service.ts";
import { withdrawTrackingHandler } from "../tracking/withdraw-tracking.ts";
import { reconcileBillingHandler, type BillingStateReader } from "./billing-reconciliation.ts";
import { createComplianceHandlers } from "./compliance-handlers.ts";
import { JOB_KINDS } from "./job-kinds.ts";
import { provisionAccountHandler } from "./provision-account.ts";
import { createShopHandlers, type ShopEmailLookup } from "./shop-handlers.ts";

export interface ProvisioningDeps {
  database: Database;
  queue: JobQueue;
  mousestats: MouseStatsClient;
  activeFreePlan: boolean;
  shopEmails: ShopEmailLookup;
  /** `BILLING_PLAN_NAME`: only this plan grants access. */
  billingPlanName: string;
  readBillingState: BillingStateReader;
  tracking: Pick<TrackingService, "withdraw">;
  /** True for "the app holds no session for this shop". */
  isNotInstalled: (err: unknown) => boolean;
  onEnqueued: () => void;
  now?: () => number;
}

/** Every job kind's handler, for the worker. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler types its own payload
export function createProvisioningHandlers(deps: ProvisioningDeps): Record<string, JobHandler<any>> {
  const now = deps.now ?? Date.now;
  const { database, queue, onEnqueued } = deps;
  return {
    ...createShopHandlers({ database, queue, shopEmails: deps.shopEmails, onEnqueued }),
    ...createComplianceHandlers(database, now),
    [JOB_KINDS.provisionAccount]: provisionAccountHandler({ db: database.db, mousestats: deps.mousestats, activeFreePlan: deps.activeFreePlan, now }),
    [JOB_KINDS.reconcileBilling]: reconcileBillingHandler({ database, queue, readBillingState: deps.readBillingState, planName: deps.billingPlanName, onEnqueued, now }),
    [JOB_KINDS.withdrawTracking]: withdrawTrackingHandler({ database, tracking: deps.tracking, isNotInstalled: deps.isNotInstalled }),
  };
}
