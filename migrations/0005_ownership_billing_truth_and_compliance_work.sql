CREATE TABLE `mousestats_erasures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`topic` text NOT NULL,
	`shop` text NOT NULL,
	`email` text,
	`requested_at` integer NOT NULL,
	`closed_at` integer
);
--> statement-breakpoint
ALTER TABLE `accounts` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `create_attempted_at` integer;--> statement-breakpoint
ALTER TABLE `accounts` ADD `create_reply` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `failed_since` integer;--> statement-breakpoint
ALTER TABLE `compliance_requests` ADD `delivered_at` integer;--> statement-breakpoint
ALTER TABLE `shop_accounts` ADD `customer_id` text;--> statement-breakpoint
ALTER TABLE `shop_accounts` ADD `claim` text DEFAULT 'verified' NOT NULL;--> statement-breakpoint
ALTER TABLE `shop_billing` ADD `triggered_at` integer;--> statement-breakpoint
ALTER TABLE `shop_billing` ADD `received_at` integer;--> statement-breakpoint
ALTER TABLE `shops` ADD `account_email` text;--> statement-breakpoint
ALTER TABLE `shops` ADD `scopes` text;--> statement-breakpoint
ALTER TABLE `shops` ADD `billing_checked_at` integer;--> statement-breakpoint
ALTER TABLE `shops` ADD `withdrawn_site_id` text;