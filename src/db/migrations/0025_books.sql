-- Issue #13: chart of accounts per org, closed ledger periods, and the ledger reads they need.
CREATE TABLE `ledger_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_accounts_code_uq` ON `ledger_accounts` (`org_id`,`code`);
--> statement-breakpoint
CREATE TABLE `ledger_charts` (
	`org_id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ledger_periods` (
	`org_id` text NOT NULL,
	`period` text NOT NULL,
	`closed_at` text NOT NULL,
	PRIMARY KEY(`org_id`, `period`)
);
--> statement-breakpoint
CREATE INDEX `ledger_lines_account_idx` ON `ledger_lines` (`org_id`,`account`);
--> statement-breakpoint
CREATE INDEX `ledger_entries_occurred_idx` ON `ledger_entries` (`org_id`,`occurred_at`,`id`);
--> statement-breakpoint
CREATE TABLE `revenue_ssp` (
	`org_id` text NOT NULL,
	`product_id` text NOT NULL,
	`currency` text NOT NULL,
	`unit_amount` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`org_id`, `product_id`, `currency`)
);
--> statement-breakpoint
CREATE TABLE `revenue_modifications` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`contract_id` text NOT NULL,
	`rule` text NOT NULL,
	`explanation` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `revenue_modifications_contract_idx` ON `revenue_modifications` (`org_id`,`contract_id`);
