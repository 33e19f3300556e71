-- Issue #10, one invoice lifecycle. `status` gains tax_pending, partially_paid, overdue and
-- uncollectible; it has no CHECK constraint (the enum is drizzle's, in schema.ts), so every
-- stored value (draft, finalized, paid, void) stays valid and nothing in SQL changes for it.
--
-- document_kind is the API's `kind`. SQLite adds a NOT NULL column only with a default; 'manual'
-- is that default, and the UPDATE below gives every existing row its real kind. The schema has
-- no default, so every writer names the kind.
ALTER TABLE `invoices` ADD `document_kind` text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `billing_run_id` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `credited_invoice_id` text;--> statement-breakpoint
-- Existing rows, by what wrote them: amendments (credit note, and the charge with proration lines),
-- deal-to-contract (the first advance period of version 1, written with the contract in one unit),
-- billing runs (every other advance period; arrears periods). Runs before this migration are not
-- linked (billing_run_id stays null): nothing recorded which run wrote which invoice.
UPDATE `invoices` SET `document_kind` = CASE
  WHEN `kind` = 'credit_note' THEN 'credit_note'
  WHEN `kind` = 'recurring' THEN 'first'
  WHEN `kind` = 'arrears' THEN 'usage'
  WHEN `kind` = 'one_time' THEN 'manual'
  WHEN EXISTS (SELECT 1 FROM `invoice_lines` l WHERE l.`org_id` = `invoices`.`org_id`
    AND l.`invoice_id` = `invoices`.`id` AND l.`line_kind` = 'proration') THEN 'proration'
  WHEN EXISTS (SELECT 1 FROM `contracts` c WHERE c.`org_id` = `invoices`.`org_id` AND c.`id` = `invoices`.`contract_id`
    AND c.`version` = 1 AND c.`created_at` = `invoices`.`created_at`) THEN 'first'
  ELSE 'recurring'
END;--> statement-breakpoint
-- An amendment's credit note credits the in-advance invoice of the same contract version whose
-- period holds the effective date (the credit note's period start).
UPDATE `invoices` SET `credited_invoice_id` = (
  SELECT i.`id` FROM `invoices` i WHERE i.`org_id` = `invoices`.`org_id` AND i.`contract_id` = `invoices`.`contract_id`
    AND i.`kind` IN ('advance', 'recurring') AND i.`period_start` <= `invoices`.`period_start`
    AND `invoices`.`period_start` < i.`period_end`
  ORDER BY i.`period_start` DESC LIMIT 1
) WHERE `kind` = 'credit_note';--> statement-breakpoint
CREATE INDEX `invoices_list_idx` ON `invoices` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_billing_run_idx` ON `invoices` (`org_id`,`billing_run_id`);--> statement-breakpoint
CREATE INDEX `invoices_credited_idx` ON `invoices` (`org_id`,`credited_invoice_id`);
