DROP INDEX `webhook_events_shop_idx`;--> statement-breakpoint
DROP INDEX `jobs_idempotency_key_idx`;--> statement-breakpoint
CREATE INDEX `jobs_idempotency_key_idx` ON `jobs` (`idempotency_key`) WHERE "jobs"."idempotency_key" is not null;