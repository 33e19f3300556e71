CREATE TABLE `billable_metrics` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`aggregation` text NOT NULL,
	`field` text,
	`filters` text NOT NULL,
	`group_by` text NOT NULL,
	`rounding` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billable_metrics_code_uq` ON `billable_metrics` (`org_id`,`code`);--> statement-breakpoint
CREATE TABLE `usage_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`transaction_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`metric_code` text NOT NULL,
	`timestamp` integer NOT NULL,
	`properties` text NOT NULL,
	`received_at` integer NOT NULL,
	`late` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_events_txn_uq` ON `usage_events` (`org_id`,`transaction_id`);--> statement-breakpoint
CREATE INDEX `usage_events_lookup_idx` ON `usage_events` (`org_id`,`customer_id`,`metric_code`,`timestamp`);