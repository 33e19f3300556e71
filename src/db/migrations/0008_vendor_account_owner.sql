DROP INDEX `connections_ext_idx`;--> statement-breakpoint
ALTER TABLE `connections` ADD `inbound_token_hash` text;--> statement-breakpoint
-- Before this migration one vendor account could be claimed by several orgs. The earliest claim
-- keeps it; every later one loses the account id and is marked unhealthy, so its admin sees why
-- and reconnects (the reconnect then answers 409 if the account really is another org's).
UPDATE `connections` SET `external_account_id` = NULL, `status` = 'unhealthy', `status_reason` = 'this vendor account is connected to another org; reconnect with an account of your own', `status_changed_at` = `created_at` WHERE `external_account_id` IS NOT NULL AND `rowid` NOT IN (SELECT MIN(`rowid`) FROM `connections` WHERE `external_account_id` IS NOT NULL GROUP BY `vendor`, `external_account_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `connections_vendor_account_uq` ON `connections` (`vendor`,`external_account_id`);
