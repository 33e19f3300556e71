-- Issue #11: cash rounding (CHF to 0.05) and payment-provider amount rules (Stripe: HUF/TWD whole
-- units, three-decimal currencies to tens of the minor unit) round an invoice's grand total at
-- finalize; the difference is kept: total_minor = subtotal_minor + tax_minor + rounding_minor.
ALTER TABLE `invoices` ADD `rounding_minor` integer DEFAULT 0 NOT NULL;
