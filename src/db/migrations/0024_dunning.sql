-- Issue #12 (payments half): dunning settings, notification templates and outbox, a contract's collection status.
CREATE TABLE `dunning_settings` (
	`org_id` text PRIMARY KEY NOT NULL,
	`retry_days` text NOT NULL,
	`final_action` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notification_templates` (
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_templates_kind_uq` ON `notification_templates` (`org_id`,`kind`);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`invoice_id` text,
	`customer_id` text,
	`recipient` text,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`replays` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`replayed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_dedupe_uq` ON `notifications` (`org_id`,`dedupe_key`);
--> statement-breakpoint
CREATE INDEX `notifications_org_created_idx` ON `notifications` (`org_id`,`created_at`);
--> statement-breakpoint
ALTER TABLE `contracts` ADD `collection_status` text;
