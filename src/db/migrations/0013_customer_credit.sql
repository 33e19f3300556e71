-- Issue #10, credit notes settled as customer credit. A customer's credit balance is the sum of
-- its entries: a credit note settled as customer_credit adds one (positive, keyed by the note),
-- and an invoice's collection that spends it adds one (negative, keyed by the invoice), so each
-- note is credited once and each invoice draws once. Entries are never edited.
CREATE TABLE `customer_credit_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`currency` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`credit_note_id` text,
	`invoice_id` text,
	`created_at` text NOT NULL
);--> statement-breakpoint
CREATE INDEX `customer_credit_customer_idx` ON `customer_credit_entries` (`org_id`,`customer_id`,`currency`);--> statement-breakpoint
CREATE INDEX `customer_credit_invoice_idx` ON `customer_credit_entries` (`org_id`,`invoice_id`);
