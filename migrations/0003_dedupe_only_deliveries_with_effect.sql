DROP INDEX `webhook_events_dedupe_key_idx`;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `has_effect` integer DEFAULT true NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_events_dedupe_key_idx` ON `webhook_events` (`dedupe_key`) WHERE "webhook_events"."has_effect" = 1;