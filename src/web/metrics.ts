import type Sqlite from "better-sqlite3";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The app's Prometheus metrics; one registry per app instance (no globals). */
export function createMetrics(sqlite: Sqlite.Database) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const jobsByStatus = sqlite.prepare("select kind, status, count(*) as n from jobs group by kind, status");
  const accountsByStatus = sqlite.prepare("select status, count(*) as n from accounts group by status");
  const needsReview = sqlite.prepare("select count(*) as n from shop_accounts where claim = 'needs_review'").pluck();
  const openCompliance = sqlite.prepare(`select 'data_request' as kind, count(*) as n from compliance_requests
      where topic = 'customers/data_request' and fulfilled_at is not null and delivered_at is null
    union all select 'mousestats_erasure', count(*) from mousestats_erasures where closed_at is null`);
  const unprocessableByTopic = sqlite.prepare("select topic, count(*) as n from webhook_events where unprocessable_reason is not null group by topic");
  return {
    registry,
    webhooks: new Counter({ name: "webhooks_received_total", help: "Webhook deliveries by topic and outcome", labelNames: ["topic", "outcome"], registers: [registry] }),
    httpDuration: new Histogram({
      name: "http_request_duration_seconds", help: "Server time per request", labelNames: ["route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [registry],
    }),
    loginLinks: new Counter({ name: "login_links_total", help: "Open heatmaps login links by outcome", labelNames: ["outcome"], registers: [registry] }),
    jobs: new Gauge({
      name: "jobs", help: "Jobs by kind and status", labelNames: ["kind", "status"], registers: [registry],
      collect() {
        this.reset();
        for (const r of jobsByStatus.all() as { kind: string; status: string; n: number }[]) this.set({ kind: r.kind, status: r.status }, r.n);
      },
    }),
    unprocessableWebhooks: new Gauge({
      name: "webhooks_unprocessable", help: "Verified webhooks kept for the operator because their body could not be acted on (npm run accounts -- unprocessable)",
      labelNames: ["topic"], registers: [registry],
      collect() {
        this.reset();
        for (const r of unprocessableByTopic.all() as { topic: string; n: number }[]) this.set({ topic: r.topic }, r.n);
      },
    }),
    needsReview: new Gauge({
      name: "accounts_needs_review", help: "Shop (or buyer) mappings waiting for an operator to adopt an account (npm run accounts -- list --needs-review)",
      registers: [registry],
      collect() { this.set(needsReview.get() as number); },
    }),
    openCompliance: new Gauge({
      name: "compliance_work_open", help: "Compliance work waiting for the operator, by kind (npm run accounts -- compliance)",
      labelNames: ["kind"], registers: [registry],
      collect() {
        for (const r of openCompliance.all() as { kind: string; n: number }[]) this.set({ kind: r.kind }, r.n);
      },
    }),
    accounts: new Gauge({
      name: "accounts", help: "MouseStats accounts by status", labelNames: ["status"], registers: [registry],
      collect() {
        this.reset();
        for (const r of accountsByStatus.all() as { status: string; n: number }[]) this.set({ status: r.status }, r.n);
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
