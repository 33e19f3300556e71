-- Issue #12: a parked payment webhook counts the deliveries of its event (the provider's retries
-- included), shown by GET /api/v1/payments/parked-webhooks.
ALTER TABLE `parked_webhooks` ADD `attempts` integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
-- Issue #12: Stripe chargebacks on an invoice's payment, one row per provider dispute; its status
-- only moves forward (a decided dispute stays decided whatever arrives late).
CREATE TABLE `disputes` (
  `id` text PRIMARY KEY NOT NULL,
  `org_id` text NOT NULL,
  `invoice_id` text NOT NULL,
  `payment_id` text NOT NULL,
  `provider` text NOT NULL,
  `external_id` text NOT NULL,
  `status` text NOT NULL,
  `outcome` text,
  `reason` text,
  `amount_minor` integer NOT NULL,
  `currency` text NOT NULL,
  `opened_at` text NOT NULL,
  `closed_at` text,
  `created_at` text NOT NULL,
  `updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `disputes_external_uq` ON `disputes` (`org_id`,`provider`,`external_id`);
--> statement-breakpoint
CREATE INDEX `disputes_invoice_idx` ON `disputes` (`org_id`,`invoice_id`);
