-- Issue #14, the admin console. Invitation links start a console session once (the token is
-- shown once and stored hashed); a dead job marked resolved keeps its row and state, and the
-- resolution (who, why, when) lives beside it, so the job table and its writers are unchanged.
CREATE TABLE `console_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`role` text NOT NULL,
	`label` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text
);--> statement-breakpoint
CREATE UNIQUE INDEX `console_invitations_token_uq` ON `console_invitations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `console_invitations_org_idx` ON `console_invitations` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `job_resolutions` (
	`job_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`reason` text NOT NULL,
	`resolved_by` text NOT NULL,
	`resolved_at` text NOT NULL
);--> statement-breakpoint
CREATE INDEX `job_resolutions_org_idx` ON `job_resolutions` (`org_id`);
