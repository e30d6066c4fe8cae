CREATE TABLE `shop_billing` (
	`shop` text NOT NULL,
	`source_ref` text NOT NULL,
	`source` text NOT NULL,
	`status` text NOT NULL,
	`event_at` integer NOT NULL,
	PRIMARY KEY(`shop`, `source_ref`)
);
--> statement-breakpoint
ALTER TABLE `shops` DROP COLUMN `subscription_id`;--> statement-breakpoint
ALTER TABLE `shops` DROP COLUMN `subscription_status`;--> statement-breakpoint
ALTER TABLE `shops` DROP COLUMN `billing_event_at`;