ALTER TABLE `shops` ADD `embed_active_since` integer;--> statement-breakpoint
ALTER TABLE `shops` ADD `visits_at_embed` integer;