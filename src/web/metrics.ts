import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AppDatabase } from "../db/app-database.ts";
import type { QueueStats } from "../queue/job-queue.ts";

/** Every metric name starts with this, the process and Node.js ones included. */
export const METRIC_PREFIX = "mousestats_heatmaps_";

/**
 * The app's Prometheus metrics; one registry per app instance (no globals). The gauges are read
 * from the database at each scrape, so every instance on one PostgreSQL reports the same
 * figures (the queue's depth and age included); the counters are per instance.
 */
export function createMetrics(database: AppDatabase, queueStats: () => Promise<QueueStats>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;

  const oldestDue = new Gauge({
    name: name("job_oldest_due_age_seconds"), help: "How long the oldest due job has waited to run (0: none waiting); read with mousestats_heatmaps_jobs",
    registers: [registry],
    async collect() {
      this.set((await queueStats()).oldestDueAgeS);
    },
  });

  const counter = <L extends string>(suffix: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: name(suffix), help, labelNames, registers: [registry] });

  const histogram = <L extends string>(suffix: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new Histogram<L>({ name: name(suffix), help, labelNames, buckets, registers: [registry] });

  /** A gauge read from the database at each scrape: `sql` selects the label columns and `n`. */
  const tableGauge = <L extends string>(suffix: string, help: string, labelNames: readonly L[], sql: string) => {
    const rows = database.statement<Record<L | "n", string | number>>(sql);
    return new Gauge<L>({
      name: name(suffix), help, labelNames, registers: [registry],
      async collect() {
        const read = await rows.all();
        this.reset();
        for (const row of read) {
          const labels = Object.fromEntries(labelNames.map((l) => [l, String(row[l])])) as Record<L, string>;
          this.set(labels, Number(row.n));
        }
      },
    });
  };

  return {
    registry,
    webhooks: counter("webhooks_received_total", "Webhook deliveries by topic and outcome", ["topic", "outcome"]),
    httpDuration: histogram("http_request_duration_seconds", "Server time per request", ["route", "status"],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]),
    loginLinks: counter("login_links_total", "Open heatmaps login links by outcome", ["outcome"]),
    mousestatsCalls: histogram("mousestats_call_duration_seconds",
      "MouseStats Reseller API calls by operation and outcome (ok, permission_denied, http_error, timeout, network_error, unexpected_reply, aborted)",
      ["operation", "outcome"], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
    jobAttempts: counter("job_attempts_total", "Job runs by kind and outcome (succeeded, error: will retry or failed, deferred: asked to run later)", ["kind", "outcome"]),
    jobFailures: counter("job_failures_total", "Jobs that failed for good (permanent error or attempts used up), by kind", ["kind"]),
    jobs: new Gauge<"kind" | "status">({
      name: name("jobs"), help: "Jobs in the queue by kind and status (pending: waiting or retrying; running; failed: for good)",
      labelNames: ["kind", "status"], registers: [registry],
      async collect() {
        const stats = await queueStats();
        this.reset();
        for (const j of stats.jobs) this.set({ kind: j.kind, status: j.status }, j.count);
      },
    }),
    oldestDueJob: oldestDue,
    unprocessableWebhooks: tableGauge("webhooks_unprocessable",
      "Verified webhooks kept for the operator because their body could not be acted on (npm run accounts -- unprocessable)",
      ["topic"], "select topic, count(*) as n from webhook_events where unprocessable_reason is not null group by topic"),
    needsReview: tableGauge("accounts_needs_review",
      "Shop (or buyer) mappings waiting for an operator to adopt an account (npm run accounts -- list --needs-review)",
      [], "select count(*) as n from shop_accounts where claim = 'needs_review'"),
    openCompliance: tableGauge("compliance_work_open", "Compliance work waiting for the operator, by kind (npm run accounts -- compliance)", ["kind"],
      `select 'data_request' as kind, count(*) as n from compliance_requests
         where topic = 'customers/data_request' and fulfilled_at is not null and delivered_at is null
       union all select 'mousestats_erasure', count(*) from mousestats_erasures where closed_at is null`),
    accounts: tableGauge("accounts", "MouseStats accounts by status", ["status"], "select status, count(*) as n from accounts group by status"),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
