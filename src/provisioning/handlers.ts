import type { Database } from "../db/client.ts";
import type { MouseStatsClient } from "../mousestats/client.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { JobHandler } from "../queue/worker.ts";
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
  onEnqueued: () => void;
  now?: () => number;
}

/** Every job kind's handler, for the worker. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler types its own payload
export function createProvisioningHandlers(deps: ProvisioningDeps): Record<string, JobHandler<any>> {
  const now = deps.now ?? Date.now;
  return {
    ...createShopHandlers({ database: deps.database, queue: deps.queue, shopEmails: deps.shopEmails, onEnqueued: deps.onEnqueued }),
    ...createComplianceHandlers(deps.database, now),
    [JOB_KINDS.provisionAccount]: provisionAccountHandler({ db: deps.database.db, mousestats: deps.mousestats, activeFreePlan: deps.activeFreePlan, now }),
  };
}
