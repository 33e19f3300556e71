-- Issue #11: a recurring count / sum metric bills everything since its contract started.
ALTER TABLE `billable_metrics` ADD `recurring` integer DEFAULT false NOT NULL;
