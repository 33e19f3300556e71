-- Issue #14, the console's second part. Outgoing webhooks: endpoints an org registers to hear of
-- its own events (the signing secret sealed with AES-GCM, like vendor credentials: it must be read
-- back to sign), and one delivery row per (endpoint, event), whose attempts run as a job.
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`url` text NOT NULL,
	`description` text NOT NULL,
	`event_types` text NOT NULL,
	`secret_sealed` text NOT NULL,
	`created_at` text NOT NULL,
	`disabled_at` text
);--> statement-breakpoint
CREATE INDEX `webhook_endpoints_org_idx` ON `webhook_endpoints` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_type` text NOT NULL,
	`event_key` text NOT NULL,
	`payload` text NOT NULL,
	`job_key` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_attempt_at` text,
	`last_status` integer,
	`last_error` text,
	`delivered_at` text,
	`created_at` text NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_event_uq` ON `webhook_deliveries` (`org_id`,`endpoint_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_idx` ON `webhook_deliveries` (`org_id`,`endpoint_id`,`created_at`);
