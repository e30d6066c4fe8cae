import type { Database } from "../db/client.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { retryAccount } from "./account-admin.ts";
import { requestBillingCheck } from "./billing-reconciliation.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * What the app does by itself, every hour, so nothing waits on a click or a webhook that never
 * came: a billing check with Shopify for shops not heard of for a day, and another go at
 * provisioning that failed (hourly for 3 days, then daily for a month; the page still offers
 * Retry meanwhile).
 */
export function createSweeps(deps: { database: Database; queue: JobQueue; now: () => number }) {
  const { database, queue, now } = deps;
  // Installed shops (a stored session) whose billing was neither checked nor changed for a day.
  const staleBilling = database.sqlite.prepare(`select s.domain from shops s
    where exists (select 1 from shopify_sessions ss where ss.shop = s.domain)
      and coalesce(s.billing_checked_at, 0) < @dayAgo
      and coalesce((select max(b.event_at) from shop_billing b where b.shop = s.domain), 0) < @dayAgo`).pluck();
  const dueFailures = database.sqlite.prepare(`select email from accounts
    where status = 'failed' and failed_since >= @now - ${30 * DAY_MS}
      and updated_at < @now - case when failed_since >= @now - ${3 * DAY_MS} then ${HOUR_MS} else ${DAY_MS} end`).pluck();

  return {
    /** Queues a billing check per shop due one; returns how many. */
    queueBillingChecks(): number {
      const shops = staleBilling.all({ dayAgo: now() - DAY_MS }) as string[];
      return database.sqlite.transaction(() => shops.filter((shop) => requestBillingCheck({ database, queue, now }, shop, "sweep")).length)();
    },

    /** Puts failed provisioning due another go back in the queue; returns how many. */
    redriveFailedAccounts(): number {
      const emails = dueFailures.all({ now: now() }) as string[];
      return emails.filter((email) => retryAccount(database, queue, email) === "queued").length;
    },
  };
}
