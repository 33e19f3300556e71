-- Issue #10: when drafts finalize (per org, org_billing_settings), numbers given at finalize
-- (invoices.number becomes nullable: drafts have none; SQLite changes a column's NOT NULL only by
-- rebuilding the table), and why a tax_pending invoice waits (tax_pending_reason). Drafts written
-- before keep the number they were given; the sequence already counted them, so no gap appears.
CREATE TABLE `org_billing_settings` (
	`org_id` text PRIMARY KEY NOT NULL,
	`finalize_policy` text NOT NULL,
	`grace_seconds` integer NOT NULL,
	`number_prefix` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`number` text,
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
	`created_at` text NOT NULL,
	`document_kind` text NOT NULL,
	`billing_run_id` text,
	`credited_invoice_id` text,
	`tax_pending_reason` text
);
--> statement-breakpoint
INSERT INTO `__new_invoices`("id", "org_id", "number", "contract_id", "customer_id", "kind", "period_start", "period_end", "status", "currency", "subtotal_minor", "tax_minor", "total_minor", "amount_paid_minor", "issue_date", "due_date", "rounding", "created_at", "document_kind", "billing_run_id", "credited_invoice_id", "tax_pending_reason") SELECT "id", "org_id", "number", "contract_id", "customer_id", "kind", "period_start", "period_end", "status", "currency", "subtotal_minor", "tax_minor", "total_minor", "amount_paid_minor", "issue_date", "due_date", "rounding", "created_at", "document_kind", "billing_run_id", "credited_invoice_id", NULL FROM `invoices`;--> statement-breakpoint
DROP TABLE `invoices`;--> statement-breakpoint
ALTER TABLE `__new_invoices` RENAME TO `invoices`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_period_uq` ON `invoices` (`org_id`,`contract_id`,`period_start`,`kind`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number_uq` ON `invoices` (`org_id`,`number`);--> statement-breakpoint
CREATE INDEX `invoices_list_idx` ON `invoices` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_billing_run_idx` ON `invoices` (`org_id`,`billing_run_id`);--> statement-breakpoint
CREATE INDEX `invoices_credited_idx` ON `invoices` (`org_id`,`credited_invoice_id`);