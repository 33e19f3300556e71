/**
 * The reasons the adapters give when a connection's credentials stopped working. They live in the
 * domain so the job queue (src/jobs/reconnect.ts) can recognise them without importing adapters;
 * each vendor's errors.ts uses and re-exports its own.
 */

/** adapters/salesforce/errors.ts: a session that cannot be refreshed. */
export const SALESFORCE_SESSION_EXPIRED = 'session expired; reconnect';
/** adapters/hubspot/errors.ts: a 401, or a refresh token HubSpot rejects. */
export const HUBSPOT_TOKEN_REJECTED = 'access token expired or revoked; reconnect';
/** adapters/quickbooks/errors.ts: a 401 (a generic phrase, so only a 401 counts). */
export const QUICKBOOKS_TOKEN_EXPIRED = 'access token expired';
