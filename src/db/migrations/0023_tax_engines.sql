-- Issue #12 (tax): the org's choice of tax engine, the manual rate table of an org without one,
-- tax codes per product and engine, and customers' exemption certificate numbers.
CREATE TABLE `org_tax_settings` (
	`org_id` text PRIMARY KEY NOT NULL,
	`engine` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tax_rates` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`jurisdiction` text NOT NULL,
	`product_tax_code` text NOT NULL,
	`rate` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tax_rates_uq` ON `tax_rates` (`org_id`,`jurisdiction`,`product_tax_code`);
--> statement-breakpoint
CREATE TABLE `product_tax_codes` (
	`org_id` text NOT NULL,
	`product_id` text NOT NULL,
	`engine` text NOT NULL,
	`code` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `product_tax_codes_uq` ON `product_tax_codes` (`org_id`,`product_id`,`engine`);
--> statement-breakpoint
CREATE TABLE `customer_tax_exemptions` (
	`org_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`exemption_number` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customer_tax_exemptions_uq` ON `customer_tax_exemptions` (`org_id`,`customer_id`);
