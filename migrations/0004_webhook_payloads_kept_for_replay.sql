ALTER TABLE `webhook_events` ADD `unprocessable_reason` text;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `replayed_at` integer;--> statement-breakpoint
CREATE INDEX `webhook_events_unprocessable_idx` ON `webhook_events` (`received_at`) WHERE "webhook_events"."unprocessable_reason" is not null;