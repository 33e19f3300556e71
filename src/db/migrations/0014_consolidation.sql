-- Issue #10, consolidation: an org may bill one invoice per customer and billing date holding
-- every contract's lines. Such a line keeps its own contract and period; a line of an ordinary
-- invoice leaves them null (they are its invoice's), so bulk runs write no more than before and
-- the index below holds only consolidated lines: the "billed once" check of their periods.
ALTER TABLE `org_billing_settings` ADD `consolidate` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `contract_id` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `period_start` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `period_end` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `period_kind` text;--> statement-breakpoint
CREATE INDEX `invoice_lines_period_idx` ON `invoice_lines` (`org_id`,`contract_id`,`period_start`,`period_kind`) WHERE "invoice_lines"."contract_id" IS NOT NULL;
