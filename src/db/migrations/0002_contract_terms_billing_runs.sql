CREATE TABLE `billing_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`at` text NOT NULL,
	`state` text NOT NULL,
	`contracts_total` integer NOT NULL,
	`contracts_done` integer NOT NULL,
	`invoices_created` integer NOT NULL,
	`error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `billing_runs_org_idx` ON `billing_runs` (`org_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `contracts` ADD `terms` text;--> statement-breakpoint
ALTER TABLE `contracts` ADD `effective_date` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `line_kind` text DEFAULT 'charge' NOT NULL;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `source_ref` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `detail` text;