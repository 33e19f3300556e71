-- Issue #13, reconciliation: a run compares the hub with one system for one month (kept; GET
-- answers the newest), and its items are the disagreements found, each with its fix and, once a
-- person resolved it, who did and why.
CREATE TABLE `reconciliation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`system` text NOT NULL,
	`period` text NOT NULL,
	`state` text NOT NULL,
	`checked` integer NOT NULL,
	`extra_checked` integer NOT NULL,
	`note` text,
	`trigger` text NOT NULL,
	`created_at` text NOT NULL,
	`finished_at` text
);--> statement-breakpoint
CREATE INDEX `reconciliation_runs_latest_idx` ON `reconciliation_runs` (`org_id`,`system`,`period`,`created_at`);--> statement-breakpoint
CREATE TABLE `reconciliation_items` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`run_id` text NOT NULL,
	`kind` text NOT NULL,
	`document_kind` text NOT NULL,
	`local_id` text,
	`ref` text NOT NULL,
	`external_id` text,
	`hub_status` text,
	`vendor_status` text,
	`hub_amount_minor` integer,
	`vendor_amount_minor` integer,
	`currency` text,
	`detail` text NOT NULL,
	`fix` text NOT NULL,
	`repushed_at` text,
	`resolved_at` text,
	`resolved_by` text,
	`resolution_reason` text,
	`created_at` text NOT NULL
);--> statement-breakpoint
CREATE INDEX `reconciliation_items_run_idx` ON `reconciliation_items` (`org_id`,`run_id`,`id`);--> statement-breakpoint
CREATE INDEX `reconciliation_items_ref_idx` ON `reconciliation_items` (`org_id`,`ref`);
