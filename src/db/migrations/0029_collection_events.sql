-- When dunning set a contract's collection status: cancel at period end takes effect at the end of
-- the period in progress on that day, and the billing run bills nothing after it.
ALTER TABLE `contracts` ADD `collection_status_at` text;
