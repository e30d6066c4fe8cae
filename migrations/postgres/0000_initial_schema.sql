CREATE TABLE "accounts" (
	"email" text PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"plan_name" text,
	"plan_days_left" integer,
	"heatmap_projects" integer,
	"playback_projects" integer,
	"heatmap_visits" integer,
	"playback_visits" integer,
	"usage_checked_at" bigint,
	"created_by_app" boolean DEFAULT false NOT NULL,
	"owner" text,
	"create_attempted_at" bigint,
	"create_reply" text,
	"failed_since" bigint,
	"last_error" text,
	"created_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL,
	"updated_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "compliance_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"shop" text NOT NULL,
	"customer_id" text,
	"customer_email" text,
	"order_ids" text,
	"received_at" bigint NOT NULL,
	"fulfilled_at" bigint,
	"report" text,
	"delivered_at" bigint
);
--> statement-breakpoint
CREATE TABLE "mousestats_erasures" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"shop" text NOT NULL,
	"email" text,
	"requested_at" bigint NOT NULL,
	"closed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"window_started_at" bigint NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shop_accounts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"shop" text NOT NULL,
	"account_email" text NOT NULL,
	"source" text NOT NULL,
	"source_ref" text,
	"customer_id" text,
	"access" text DEFAULT 'active' NOT NULL,
	"claim" text DEFAULT 'verified' NOT NULL,
	"created_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL,
	"updated_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shop_billing" (
	"shop" text NOT NULL,
	"source_ref" text NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"event_at" bigint NOT NULL,
	"triggered_at" bigint,
	"received_at" bigint,
	CONSTRAINT "shop_billing_shop_source_ref_pk" PRIMARY KEY("shop","source_ref")
);
--> statement-breakpoint
CREATE TABLE "shopify_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"shop" text NOT NULL,
	"is_online" boolean DEFAULT false NOT NULL,
	"scope" text,
	"access_token_enc" text NOT NULL,
	"expires_at" bigint,
	"refresh_token_enc" text,
	"refresh_token_expires_at" bigint,
	"updated_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shops" (
	"domain" text PRIMARY KEY NOT NULL,
	"email" text,
	"name" text,
	"account_email" text,
	"scopes" text,
	"billing_checked_at" bigint,
	"withdrawn_site_id" text,
	"embed_active_since" bigint,
	"visits_at_embed" integer,
	"installed_at" bigint,
	"uninstalled_at" bigint,
	"created_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL,
	"updated_at" bigint DEFAULT ((extract(epoch from clock_timestamp()) * 1000)::bigint) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"event_id" text,
	"webhook_id" text NOT NULL,
	"topic" text NOT NULL,
	"shop" text NOT NULL,
	"triggered_at" bigint,
	"received_at" bigint NOT NULL,
	"payload" text,
	"has_effect" boolean DEFAULT true NOT NULL,
	"unprocessable_reason" text,
	"replayed_at" bigint
);
--> statement-breakpoint
ALTER TABLE "shop_accounts" ADD CONSTRAINT "shop_accounts_account_email_accounts_email_fk" FOREIGN KEY ("account_email") REFERENCES "public"."accounts"("email") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "compliance_requests_shop_idx" ON "compliance_requests" USING btree ("shop");--> statement-breakpoint
CREATE UNIQUE INDEX "shop_accounts_shop_email_source_idx" ON "shop_accounts" USING btree ("shop","account_email","source");--> statement-breakpoint
CREATE INDEX "shop_accounts_email_idx" ON "shop_accounts" USING btree ("account_email");--> statement-breakpoint
CREATE INDEX "shopify_sessions_shop_idx" ON "shopify_sessions" USING btree ("shop");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_dedupe_key_idx" ON "webhook_events" USING btree ("dedupe_key") WHERE "webhook_events"."has_effect";--> statement-breakpoint
CREATE INDEX "webhook_events_unprocessable_idx" ON "webhook_events" USING btree ("received_at") WHERE "webhook_events"."unprocessable_reason" is not null;