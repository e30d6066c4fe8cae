import type { AppDatabase } from "../db/app-database.ts";
import type { MouseStatsClient } from "../mousestats/client.ts";
import type { JobDefinitions } from "../queue/job-handler.ts";
import type { TrackingService } from "../tracking/tracking-service.ts";
import { withdrawTrackingHandler } from "../tracking/withdraw-tracking.ts";
import { reconcileBillingHandler, type BillingStateReader } from "./billing-reconciliation.ts";
import { createComplianceHandlers } from "./compliance-handlers.ts";
import { JOB_KINDS, JOB_PAYLOAD_SCHEMAS, type AppJobQueue, type JobPayloads } from "./job-kinds.ts";
import { provisionAccountHandler } from "./provision-account.ts";
import { createShopHandlers, type ShopEmailLookup } from "./shop-handlers.ts";

export interface ProvisioningDeps {
  database: AppDatabase;
  queue: AppJobQueue;
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

/** Every job kind's handler and payload schema, for the runner. */
export function createProvisioningJobs(deps: ProvisioningDeps): JobDefinitions<JobPayloads> {
  const now = deps.now ?? Date.now;
  const { database, queue, onEnqueued } = deps;
  return {
    schemas: JOB_PAYLOAD_SCHEMAS,
    handlers: {
      ...createShopHandlers({ database, queue, shopEmails: deps.shopEmails, onEnqueued }),
      ...createComplianceHandlers(database, queue, now),
      [JOB_KINDS.provisionAccount]: provisionAccountHandler({ database, mousestats: deps.mousestats, activeFreePlan: deps.activeFreePlan, now }),
      [JOB_KINDS.reconcileBilling]: reconcileBillingHandler({ database, queue, readBillingState: deps.readBillingState, planName: deps.billingPlanName, onEnqueued, now }),
      [JOB_KINDS.withdrawTracking]: withdrawTrackingHandler({ database, tracking: deps.tracking, isNotInstalled: deps.isNotInstalled }),
    },
  };
}
