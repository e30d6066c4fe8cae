import type { AppDatabase } from "../db/app-database.ts";
import { retryAccount } from "./account-admin.ts";
import { requestBillingCheck } from "./billing-reconciliation.ts";
import type { AppJobQueue } from "./job-kinds.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * What the app does by itself, every hour, so nothing waits on a click or a webhook that never
 * came: a billing check with Shopify for shops not heard of for a day, and another go at
 * provisioning that failed (hourly for 3 days, then daily for a month; the page still offers
 * Retry meanwhile). Several instances may sweep at once: each enqueue is keyed, so the work
 * is queued once.
 */
export function createSweeps(deps: { database: AppDatabase; queue: AppJobQueue; now: () => number }) {
  const { database, queue, now } = deps;
  // Installed shops (a stored session) whose billing was neither checked nor changed for a day.
  const staleBilling = database.statement<{ domain: string }>(`select s.domain from shops s
    where exists (select 1 from shopify_sessions ss where ss.shop = s.domain)
      and coalesce(s.billing_checked_at, 0) < @dayAgo
      and coalesce((select max(b.event_at) from shop_billing b where b.shop = s.domain), 0) < @dayAgo`);
  const dueFailures = database.statement<{ email: string }>(`select email from accounts
    where status = 'failed' and failed_since >= @monthAgo
      and updated_at < case when failed_since >= @threeDaysAgo then cast(@hourAgo as bigint) else cast(@dayAgo as bigint) end`);

  return {
    /** Queues a billing check per shop due one; resolves with how many. */
    async queueBillingChecks(): Promise<number> {
      const shops = await staleBilling.all({ dayAgo: now() - DAY_MS });
      let queued = 0;
      for (const { domain } of shops) if (await requestBillingCheck({ database, queue, now }, domain, "sweep")) queued++;
      return queued;
    },

    /** Puts failed provisioning due another go back in the queue; resolves with how many. */
    async redriveFailedAccounts(): Promise<number> {
      const t = now();
      const emails = await dueFailures.all({ monthAgo: t - 30 * DAY_MS, threeDaysAgo: t - 3 * DAY_MS, hourAgo: t - HOUR_MS, dayAgo: t - DAY_MS });
      let queued = 0;
      for (const { email } of emails) if (await retryAccount(database, queue, email) === "queued") queued++;
      return queued;
    },
  };
}
