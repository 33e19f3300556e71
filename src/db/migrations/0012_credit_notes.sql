-- Issue #10, credit notes and voids. What a credit note is for and how it is settled live in
-- their own table (one row per credit note, keyed by its invoice row id), so the invoices table
-- and the bulk writers that insert into it in schema order keep their columns.
CREATE TABLE `credit_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`reason` text NOT NULL,
	`settlement` text,
	`memo` text,
	`created_at` text NOT NULL
);--> statement-breakpoint
CREATE INDEX `credit_notes_invoice_idx` ON `credit_notes` (`org_id`,`invoice_id`);--> statement-breakpoint
-- An invoice can have many credit notes of the same period, so credit notes leave the
-- "one invoice per contract × period × kind" key. An amendment's credit note keeps its
-- deterministic id (its primary key is what makes a retried amendment write it once).
DROP INDEX `invoices_period_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_period_uq` ON `invoices` (`org_id`,`contract_id`,`period_start`,`kind`) WHERE "invoices"."kind" != 'credit_note';
