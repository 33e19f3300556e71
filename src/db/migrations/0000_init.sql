CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`revoked_at` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_uq` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_org_idx` ON `api_keys` (`org_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`detail` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_org_idx` ON `audit_log` (`org_id`,`at`);--> statement-breakpoint
CREATE TABLE `connections` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`vendor` text NOT NULL,
	`mode` text NOT NULL,
	`external_account_id` text,
	`config` text NOT NULL,
	`secrets_enc` text NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connections_org_vendor_uq` ON `connections` (`org_id`,`vendor`);--> statement-breakpoint
CREATE INDEX `connections_ext_idx` ON `connections` (`vendor`,`external_account_id`);--> statement-breakpoint
CREATE TABLE `contract_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`contract_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`product_id` text NOT NULL,
	`description` text NOT NULL,
	`price_spec` text NOT NULL,
	`quantity` text NOT NULL,
	`source_line_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contract_lines_no_uq` ON `contract_lines` (`contract_id`,`line_no`);--> statement-breakpoint
CREATE TABLE `contracts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`source_system` text NOT NULL,
	`source_deal_id` text NOT NULL,
	`version` integer NOT NULL,
	`status` text NOT NULL,
	`currency` text NOT NULL,
	`start_date` text NOT NULL,
	`billing_cadence` text NOT NULL,
	`billing_timing` text NOT NULL,
	`payment_terms_days` integer NOT NULL,
	`mapping_version` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contracts_source_version_uq` ON `contracts` (`org_id`,`source_system`,`source_deal_id`,`version`);--> statement-breakpoint
CREATE INDEX `contracts_customer_idx` ON `contracts` (`org_id`,`customer_id`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`currency` text NOT NULL,
	`address` text,
	`source_system` text NOT NULL,
	`source_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_source_uq` ON `customers` (`org_id`,`source_system`,`source_id`);--> statement-breakpoint
CREATE TABLE `external_refs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`system` text NOT NULL,
	`object_type` text NOT NULL,
	`local_id` text NOT NULL,
	`external_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `external_refs_uq` ON `external_refs` (`org_id`,`system`,`object_type`,`local_id`);--> statement-breakpoint
CREATE TABLE `flow_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`flow` text NOT NULL,
	`subject_id` text NOT NULL,
	`job_id` text NOT NULL,
	`state` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `flow_runs_subject_uq` ON `flow_runs` (`org_id`,`flow`,`subject_id`);--> statement-breakpoint
CREATE INDEX `flow_runs_job_idx` ON `flow_runs` (`job_id`);--> statement-breakpoint
CREATE TABLE `flow_steps` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`run_id` text NOT NULL,
	`step` text NOT NULL,
	`status` text NOT NULL,
	`output` text,
	`error` text,
	`attempts` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `flow_steps_run_step_uq` ON `flow_steps` (`run_id`,`step`);--> statement-breakpoint
CREATE TABLE `invoice_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`product_id` text NOT NULL,
	`description` text NOT NULL,
	`quantity` text NOT NULL,
	`unit_amount` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`tax_minor` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoice_lines_no_uq` ON `invoice_lines` (`invoice_id`,`line_no`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`number` text NOT NULL,
	`contract_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`kind` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`status` text NOT NULL,
	`currency` text NOT NULL,
	`subtotal_minor` integer NOT NULL,
	`tax_minor` integer NOT NULL,
	`total_minor` integer NOT NULL,
	`amount_paid_minor` integer NOT NULL,
	`issue_date` text NOT NULL,
	`due_date` text NOT NULL,
	`rounding` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_period_uq` ON `invoices` (`org_id`,`contract_id`,`period_start`,`kind`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number_uq` ON `invoices` (`org_id`,`number`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`correlation_id` text NOT NULL,
	`connection_key` text,
	`state` text NOT NULL,
	`attempts` integer NOT NULL,
	`max_attempts` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_dedupe_uq` ON `jobs` (`org_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `jobs_due_idx` ON `jobs` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `jobs_correlation_idx` ON `jobs` (`org_id`,`correlation_id`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text NOT NULL,
	`kind` text NOT NULL,
	`memo` text NOT NULL,
	`occurred_at` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entries_source_uq` ON `ledger_entries` (`org_id`,`source_type`,`source_id`,`kind`);--> statement-breakpoint
CREATE TABLE `ledger_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`entry_id` text NOT NULL,
	`account` text NOT NULL,
	`currency` text NOT NULL,
	`debit_minor` integer NOT NULL,
	`credit_minor` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_lines_entry_idx` ON `ledger_lines` (`entry_id`);--> statement-breakpoint
CREATE TABLE `orgs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`provider` text NOT NULL,
	`external_id` text NOT NULL,
	`status` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`fee_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`received_at` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_external_uq` ON `payments` (`org_id`,`provider`,`external_id`);--> statement-breakpoint
CREATE INDEX `payments_invoice_idx` ON `payments` (`org_id`,`invoice_id`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`sku` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `products_sku_uq` ON `products` (`org_id`,`sku`);--> statement-breakpoint
CREATE TABLE `sequences` (
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sequences_uq` ON `sequences` (`org_id`,`name`);--> statement-breakpoint
CREATE TABLE `webhook_inbox` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`payload` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_inbox_event_uq` ON `webhook_inbox` (`org_id`,`provider`,`event_id`);