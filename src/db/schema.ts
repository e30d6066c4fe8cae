import { index, integer, primaryKey, sql, sqliteTable, text, uniqueIndex } from "./drizzle.ts";

const createdAt = () => integer("created_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch('subsec') * 1000)`);
const updatedAt = () => integer("updated_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch('subsec') * 1000)`);

/** Offline sessions from token exchange; tokens are AES-256-GCM ciphertext (see shopify/token-cipher.ts). */
export const shopifySessions = sqliteTable("shopify_sessions", {
  id: text("id").primaryKey(),
  shop: text("shop").notNull(),
  isOnline: integer("is_online", { mode: "boolean" }).notNull().default(false),
  scope: text("scope"),
  accessTokenEnc: text("access_token_enc").notNull(),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
  refreshTokenEnc: text("refresh_token_enc"),
  refreshTokenExpiresAt: integer("refresh_token_expires_at", { mode: "timestamp_ms" }),
  updatedAt: updatedAt(),
}, (t) => [index("shopify_sessions_shop_idx").on(t.shop)]);

export const shops = sqliteTable("shops", {
  domain: text("domain").primaryKey(),
  /** `shop.email` as Shopify last gave it (token exchange writes it anew). */
  email: text("email"),
  name: text("name"),
  /**
   * The email the shop's own MouseStats account was first provisioned with. Fixed from then on:
   * a later change of `email` never moves the shop to another, empty account (the operator can,
   * on purpose: `npm run accounts -- move`).
   */
  accountEmail: text("account_email"),
  /** The access scopes Shopify granted, as `app/scopes_update` last reported them. */
  scopes: text("scopes"),
  /** When Shopify was last asked for the shop's subscriptions and purchases (billing reconciliation). */
  billingCheckedAt: integer("billing_checked_at", { mode: "timestamp_ms" }),
  /** The site ID removed from the storefront when access ended; the page offers it back. */
  withdrawnSiteId: text("withdrawn_site_id"),
  /**
   * Since when the page has seen the app embed switched on in the published theme (App Bridge's
   * `shopify.app.extensions()`), and the account's visit count then: the setup checklist's
   * "first visits recorded" is the count rising above it. Both cleared when the embed is seen off.
   */
  embedActiveSince: integer("embed_active_since", { mode: "timestamp_ms" }),
  visitsAtEmbed: integer("visits_at_embed"),
  installedAt: integer("installed_at", { mode: "timestamp_ms" }),
  uninstalledAt: integer("uninstalled_at", { mode: "timestamp_ms" }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * The latest known status of each app subscription and one-time purchase of a shop. Shopify
 * does not order webhooks, so each billing object keeps its own newest event time: an older
 * delivery for that object changes nothing, one for another object still counts. The shop has
 * access while any of its objects is ACTIVE.
 */
export const shopBilling = sqliteTable("shop_billing", {
  shop: text("shop").notNull(),
  /** The AppSubscription or AppPurchaseOneTime gid. */
  sourceRef: text("source_ref").notNull(),
  source: text("source", { enum: ["subscription", "purchase"] }).notNull(),
  status: text("status").notNull(),
  /** The object's `updated_at` (to the second); ties are broken by `triggeredAt`, then `receivedAt`. */
  eventAt: integer("event_at", { mode: "timestamp_ms" }).notNull(),
  triggeredAt: integer("triggered_at", { mode: "timestamp_ms" }),
  receivedAt: integer("received_at", { mode: "timestamp_ms" }),
}, (t) => [primaryKey({ columns: [t.shop, t.sourceRef] })]);

export const ACCOUNT_STATUSES = ["pending", "active", "failed"] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** One MouseStats account per lower-cased email. */
export const accounts = sqliteTable("accounts", {
  email: text("email").primaryKey(),
  status: text("status", { enum: ACCOUNT_STATUSES }).notNull().default("pending"),
  planName: text("plan_name"),
  planDaysLeft: integer("plan_days_left"),
  heatmapProjects: integer("heatmap_projects"),
  playbackProjects: integer("playback_projects"),
  heatmapVisits: integer("heatmap_visits"),
  playbackVisits: integer("playback_visits"),
  usageCheckedAt: integer("usage_checked_at", { mode: "timestamp_ms" }),
  /** True once GetAccount found the account after this app's CreateAccount (false: it already existed). */
  createdByApp: integer("created_by_app", { mode: "boolean" }).notNull().default(false),
  /**
   * Whom the app provisions the account for, set when the row is first made: `shop:<domain>` (its
   * subscription or purchase) or `buyer:<domain>:<customer id|guest>` (an add-on order's buyer).
   * See provisioning/account-owner.ts.
   */
  owner: text("owner"),
  /**
   * Set, and committed, before this app first sends CreateAccount: if the reply is then lost (a
   * crash, a timeout), an account GetAccount finds later is still known to be ours.
   */
  createAttemptedAt: integer("create_attempted_at", { mode: "timestamp_ms" }),
  /** CreateAccount's undocumented reply, as last received (for support). */
  createReply: text("create_reply"),
  /** Since when it has been `failed` (cleared when it turns active): the re-drive schedule counts from here. */
  failedSince: integer("failed_since", { mode: "timestamp_ms" }),
  lastError: text("last_error"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const MAPPING_SOURCES = ["subscription", "purchase", "order"] as const;
export type MappingSource = (typeof MAPPING_SOURCES)[number];
export const ACCESS_STATES = ["active", "inactive"] as const;
/**
 * Whether the mapping's shop (or buyer) has been shown to own the account: `verified` (this app
 * created it for them, they held it before, or an operator adopted it), `pending` (provisioning
 * will tell), `needs_review` (it exists at MouseStats but was not made for them: no login links
 * until an operator adopts it).
 */
export const CLAIM_STATES = ["verified", "pending", "needs_review"] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];

/** Which shop may use which account, and why. */
export const shopAccounts = sqliteTable("shop_accounts", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  shop: text("shop").notNull(),
  accountEmail: text("account_email").notNull().references(() => accounts.email, { onDelete: "cascade" }),
  source: text("source", { enum: MAPPING_SOURCES }).notNull(),
  /** Subscription/purchase gid, or the order id for the order path. */
  sourceRef: text("source_ref"),
  /** The order's buyer (Shopify customer id) for the order path; null for a guest order and for shops. */
  customerId: text("customer_id"),
  access: text("access", { enum: ACCESS_STATES }).notNull().default("active"),
  claim: text("claim", { enum: CLAIM_STATES }).notNull().default("verified"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex("shop_accounts_shop_email_source_idx").on(t.shop, t.accountEmail, t.source),
  index("shop_accounts_email_idx").on(t.accountEmail),
]);

/** Inbox of accepted webhooks; `dedupeKey` is the event id (else the webhook id) per topic. */
export const webhookEvents = sqliteTable("webhook_events", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  dedupeKey: text("dedupe_key").notNull(),
  eventId: text("event_id"),
  webhookId: text("webhook_id").notNull(),
  topic: text("topic").notNull(),
  shop: text("shop").notNull(),
  triggeredAt: integer("triggered_at", { mode: "timestamp_ms" }),
  receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
  /**
   * The raw body, exactly as signed, of a delivery with an effect or an unprocessable one, so
   * the operator can replay it (`npm run accounts -- replay`). Null for ignored deliveries, and
   * once redacted (customers/redact, shop/redact).
   */
  payload: text("payload"),
  /**
   * False for a delivery we ignore (it planned no jobs, like an order without the add-on). A
   * repeat of it is ignored alike, so it needs no dedupe and stays out of the unique index.
   */
  hasEffect: integer("has_effect", { mode: "boolean" }).notNull().default(true),
  /**
   * Set when the verified body had a shape the app does not expect (a missing field, a changed
   * type, a new status): answered 200, kept whole for the operator, cleared by a replay that
   * succeeds. Such rows outlive the retention window until then.
   */
  unprocessableReason: text("unprocessable_reason"),
  /** When the operator last replayed this delivery. */
  replayedAt: integer("replayed_at", { mode: "timestamp_ms" }),
}, (t) => [
  // Partial: an entry for a random event id dirties its own index page, which measured as most
  // of a delivery's SQLite cost (WAL frame + checkpoint write); ignored deliveries (most orders)
  // skip it. No index on shop either: it would be written on every delivery (the hot path) and
  // serves only the rare shop/redact, which can afford a scan.
  uniqueIndex("webhook_events_dedupe_key_idx").on(t.dedupeKey).where(sql`${t.hasEffect} = 1`),
  // Partial: no entry for the deliveries we could act on, so the hot path never writes it.
  index("webhook_events_unprocessable_idx").on(t.receivedAt).where(sql`${t.unprocessableReason} is not null`),
]);

export const JOB_STATUSES = ["pending", "running", "succeeded", "failed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const jobs = sqliteTable("jobs", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  kind: text("kind").notNull(),
  payload: text("payload", { mode: "json" }).notNull(),
  /**
   * Jobs with the same key do the same work: at most one is pending (later enqueues merge into
   * it) and the worker never runs two at once (see queue/claim-next.ts).
   */
  idempotencyKey: text("idempotency_key"),
  status: text("status", { enum: JOB_STATUSES }).notNull().default("pending"),
  runAt: integer("run_at", { mode: "timestamp_ms" }).notNull(),
  attempts: integer("attempts").notNull().default(0),
  maxAttempts: integer("max_attempts").notNull(),
  lockedBy: text("locked_by"),
  lockedUntil: integer("locked_until", { mode: "timestamp_ms" }),
  lastError: text("last_error"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
}, (t) => [
  uniqueIndex("jobs_pending_idempotency_key_idx").on(t.idempotencyKey)
    .where(sql`${t.status} = 'pending' and ${t.idempotencyKey} is not null`),
  // Partial: most jobs have no key, and each insert would write an index entry for nothing.
  index("jobs_idempotency_key_idx").on(t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
  index("jobs_status_run_at_idx").on(t.status, t.runAt),
]);

export const COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"] as const;

export const complianceRequests = sqliteTable("compliance_requests", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  topic: text("topic", { enum: COMPLIANCE_TOPICS }).notNull(),
  shop: text("shop").notNull(),
  customerId: text("customer_id"),
  customerEmail: text("customer_email"),
  /** Order ids named by the request (JSON array). */
  orderIds: text("order_ids", { mode: "json" }).$type<string[]>(),
  receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
  fulfilledAt: integer("fulfilled_at", { mode: "timestamp_ms" }),
  /** For data requests: what we hold on the customer (JSON), for the operator to hand to the merchant. */
  report: text("report", { mode: "json" }),
  /** When the operator took the report (`npm run accounts -- compliance`); open until then. */
  deliveredAt: integer("delivered_at", { mode: "timestamp_ms" }),
}, (t) => [index("compliance_requests_shop_idx").on(t.shop)]);

/**
 * A MouseStats account that a redaction says must be erased at MouseStats, which has no delete
 * call: open work for the operator. The email is kept only while the erasure is open.
 */
export const mousestatsErasures = sqliteTable("mousestats_erasures", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  topic: text("topic", { enum: ["customers/redact", "shop/redact"] }).notNull(),
  shop: text("shop").notNull(),
  email: text("email"),
  requestedAt: integer("requested_at", { mode: "timestamp_ms" }).notNull(),
  closedAt: integer("closed_at", { mode: "timestamp_ms" }),
});

/**
 * Per-key request limits (login links per account) in fixed windows, on PostgreSQL: kept in the
 * database so that they hold across every instance. With SQLite (one process per file) they are
 * kept in memory and this table stays empty; it is here so that both schemas stay the same.
 */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStartedAt: integer("window_started_at", { mode: "timestamp_ms" }).notNull(),
  count: integer("count").notNull(),
});
