CREATE TABLE `accounts` (
	`email` text PRIMARY KEY NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`plan_name` text,
	`plan_days_left` integer,
	`heatmap_projects` integer,
	`playback_projects` integer,
	`heatmap_visits` integer,
	`playback_visits` integer,
	`usage_checked_at` integer,
	`created_by_app` integer DEFAULT false NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `compliance_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`topic` text NOT NULL,
	`shop` text NOT NULL,
	`customer_id` text,
	`customer_email` text,
	`order_ids` text,
	`received_at` integer NOT NULL,
	`fulfilled_at` integer,
	`report` text
);
--> statement-breakpoint
CREATE INDEX `compliance_requests_shop_idx` ON `compliance_requests` (`shop`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`idempotency_key` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`run_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer NOT NULL,
	`locked_by` text,
	`locked_until` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_pending_idempotency_key_idx` ON `jobs` (`idempotency_key`) WHERE "jobs"."status" = 'pending' and "jobs"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX `jobs_idempotency_key_idx` ON `jobs` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `jobs_status_run_at_idx` ON `jobs` (`status`,`run_at`);--> statement-breakpoint
CREATE TABLE `shop_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`shop` text NOT NULL,
	`account_email` text NOT NULL,
	`source` text NOT NULL,
	`source_ref` text,
	`access` text DEFAULT 'active' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`account_email`) REFERENCES `accounts`(`email`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shop_accounts_shop_email_source_idx` ON `shop_accounts` (`shop`,`account_email`,`source`);--> statement-breakpoint
CREATE INDEX `shop_accounts_email_idx` ON `shop_accounts` (`account_email`);--> statement-breakpoint
CREATE TABLE `shopify_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`shop` text NOT NULL,
	`is_online` integer DEFAULT false NOT NULL,
	`scope` text,
	`access_token_enc` text NOT NULL,
	`expires_at` integer,
	`refresh_token_enc` text,
	`refresh_token_expires_at` integer,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `shopify_sessions_shop_idx` ON `shopify_sessions` (`shop`);--> statement-breakpoint
CREATE TABLE `shops` (
	`domain` text PRIMARY KEY NOT NULL,
	`email` text,
	`name` text,
	`installed_at` integer,
	`uninstalled_at` integer,
	`subscription_id` text,
	`subscription_status` text,
	`billing_event_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dedupe_key` text NOT NULL,
	`event_id` text,
	`webhook_id` text NOT NULL,
	`topic` text NOT NULL,
	`shop` text NOT NULL,
	`triggered_at` integer,
	`received_at` integer NOT NULL,
	`payload` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_events_dedupe_key_idx` ON `webhook_events` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `webhook_events_shop_idx` ON `webhook_events` (`shop`);