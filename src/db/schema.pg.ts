/**
 * The tables of `schema.ts` for PostgreSQL: the same tables, columns, keys and indexes, in
 * PostgreSQL's types (timestamps stay epoch milliseconds, as `bigint`). drizzle-kit generates
 * `migrations/postgres/` from this file; at run time the app queries through `schema.ts` on
 * either backend (see app-database.ts), and `schema-parity.test.ts` keeps the two identical.
 * The `jobs` table is SQLite's queue; on PostgreSQL graphile-worker keeps its own schema.
 */
import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";

const epochMs = (name: string) => bigint(name, { mode: "number" });
const nowMs = sql`((extract(epoch from clock_timestamp()) * 1000)::bigint)`;
const createdAt = () => epochMs("created_at").notNull().default(nowMs);
const updatedAt = () => epochMs("updated_at").notNull().default(nowMs);

export const shopifySessions = pgTable("shopify_sessions", {
  id: text("id").primaryKey(),
  shop: text("shop").notNull(),
  isOnline: boolean("is_online").notNull().default(false),
  scope: text("scope"),
  accessTokenEnc: text("access_token_enc").notNull(),
  expiresAt: epochMs("expires_at"),
  refreshTokenEnc: text("refresh_token_enc"),
  refreshTokenExpiresAt: epochMs("refresh_token_expires_at"),
  updatedAt: updatedAt(),
}, (t) => [index("shopify_sessions_shop_idx").on(t.shop)]);

export const shops = pgTable("shops", {
  domain: text("domain").primaryKey(),
  email: text("email"),
  name: text("name"),
  accountEmail: text("account_email"),
  scopes: text("scopes"),
  billingCheckedAt: epochMs("billing_checked_at"),
  withdrawnSiteId: text("withdrawn_site_id"),
  embedActiveSince: epochMs("embed_active_since"),
  visitsAtEmbed: integer("visits_at_embed"),
  installedAt: epochMs("installed_at"),
  uninstalledAt: epochMs("uninstalled_at"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const shopBilling = pgTable("shop_billing", {
  shop: text("shop").notNull(),
  sourceRef: text("source_ref").notNull(),
  source: text("source").notNull(),
  status: text("status").notNull(),
  eventAt: epochMs("event_at").notNull(),
  triggeredAt: epochMs("triggered_at"),
  receivedAt: epochMs("received_at"),
}, (t) => [primaryKey({ columns: [t.shop, t.sourceRef] })]);

export const accounts = pgTable("accounts", {
  email: text("email").primaryKey(),
  status: text("status").notNull().default("pending"),
  planName: text("plan_name"),
  planDaysLeft: integer("plan_days_left"),
  heatmapProjects: integer("heatmap_projects"),
  playbackProjects: integer("playback_projects"),
  heatmapVisits: integer("heatmap_visits"),
  playbackVisits: integer("playback_visits"),
  usageCheckedAt: epochMs("usage_checked_at"),
  createdByApp: boolean("created_by_app").notNull().default(false),
  owner: text("owner"),
  createAttemptedAt: epochMs("create_attempted_at"),
  createReply: text("create_reply"),
  failedSince: epochMs("failed_since"),
  lastError: text("last_error"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const shopAccounts = pgTable("shop_accounts", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  shop: text("shop").notNull(),
  accountEmail: text("account_email").notNull().references(() => accounts.email, { onDelete: "cascade" }),
  source: text("source").notNull(),
  sourceRef: text("source_ref"),
  customerId: text("customer_id"),
  access: text("access").notNull().default("active"),
  claim: text("claim").notNull().default("verified"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex("shop_accounts_shop_email_source_idx").on(t.shop, t.accountEmail, t.source),
  index("shop_accounts_email_idx").on(t.accountEmail),
]);

export const webhookEvents = pgTable("webhook_events", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  dedupeKey: text("dedupe_key").notNull(),
  eventId: text("event_id"),
  webhookId: text("webhook_id").notNull(),
  topic: text("topic").notNull(),
  shop: text("shop").notNull(),
  triggeredAt: epochMs("triggered_at"),
  receivedAt: epochMs("received_at").notNull(),
  payload: text("payload"),
  hasEffect: boolean("has_effect").notNull().default(true),
  unprocessableReason: text("unprocessable_reason"),
  replayedAt: epochMs("replayed_at"),
}, (t) => [
  uniqueIndex("webhook_events_dedupe_key_idx").on(t.dedupeKey).where(sql`${t.hasEffect}`),
  index("webhook_events_unprocessable_idx").on(t.receivedAt).where(sql`${t.unprocessableReason} is not null`),
]);

export const complianceRequests = pgTable("compliance_requests", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  topic: text("topic").notNull(),
  shop: text("shop").notNull(),
  customerId: text("customer_id"),
  customerEmail: text("customer_email"),
  orderIds: text("order_ids"),
  receivedAt: epochMs("received_at").notNull(),
  fulfilledAt: epochMs("fulfilled_at"),
  report: text("report"),
  deliveredAt: epochMs("delivered_at"),
}, (t) => [index("compliance_requests_shop_idx").on(t.shop)]);

export const mousestatsErasures = pgTable("mousestats_erasures", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  topic: text("topic").notNull(),
  shop: text("shop").notNull(),
  email: text("email"),
  requestedAt: epochMs("requested_at").notNull(),
  closedAt: epochMs("closed_at"),
});

export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStartedAt: epochMs("window_started_at").notNull(),
  count: integer("count").notNull(),
});
