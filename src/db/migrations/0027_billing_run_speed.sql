-- Issue #17: a contract's invoices by contract id, whatever their kind (the period key is partial:
-- credit notes are outside it). The billing run's credit guard walks deal -> contract versions ->
-- invoices -> credit lines instead of scanning every invoice line of the org for each draw.
CREATE INDEX `invoices_contract_idx` ON `invoices` (`org_id`,`contract_id`);
