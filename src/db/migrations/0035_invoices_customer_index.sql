-- A customer's invoices by customer id: collecting each invoice first looks for the customer's
-- credit notes still being issued (creditNotesBeingIssued), which scanned every invoice of the
-- org, so the invoice pipeline slowed with the org's invoice count.
CREATE INDEX `invoices_customer_idx` ON `invoices` (`org_id`,`customer_id`);
