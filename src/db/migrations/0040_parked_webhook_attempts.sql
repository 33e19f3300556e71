-- Issue #12: a parked payment webhook counts the deliveries of its event (the provider's retries
-- included), shown by GET /api/v1/payments/parked-webhooks.
ALTER TABLE `parked_webhooks` ADD `attempts` integer DEFAULT 1 NOT NULL;
