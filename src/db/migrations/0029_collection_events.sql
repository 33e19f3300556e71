-- When dunning set a contract's collection status: cancel at period end takes effect at the end of
-- the period in progress on that day, and the billing run bills nothing after it.
ALTER TABLE `contracts` ADD `collection_status_at` text;
--> statement-breakpoint
-- Payment webhooks that name a payment the hub cannot tie to an invoice yet (the provider's event
-- came before our own record of the attempt committed): kept, verified and parsed, and applied
-- once the attempt exists.
CREATE TABLE `parked_webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`payment_external_id` text NOT NULL,
	`event` text NOT NULL,
	`parked_at` text NOT NULL,
	`applied_at` text,
	`invoice_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `parked_webhooks_event_uq` ON `parked_webhooks` (`org_id`,`provider`,`event_id`);
--> statement-breakpoint
CREATE INDEX `parked_webhooks_payment_idx` ON `parked_webhooks` (`org_id`,`provider`,`payment_external_id`);
--> statement-breakpoint
CREATE INDEX `parked_webhooks_waiting_idx` ON `parked_webhooks` (`applied_at`,`parked_at`);
--> statement-breakpoint
-- A payment event names the provider's id: find our attempt (and so our invoice) by it.
CREATE INDEX `external_refs_external_idx` ON `external_refs` (`org_id`,`system`,`object_type`,`external_id`);
