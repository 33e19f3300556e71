import { describe, expect, it } from 'vitest';
import { permanent, reconnectRequired, retryable } from '../src/domain/outcome.js';
import { flaggedReconnect } from '../src/domain/reconnect.js';
import { CREDENTIALS_REJECTED } from './avalara/errors.js';
import { TOKEN_REJECTED } from './hubspot/errors.js';
import { QUICKBOOKS_TOKEN_EXPIRED } from './quickbooks/errors.js';
import { needsReconnect } from './registry.js';
import { SESSION_EXPIRED } from './salesforce/errors.js';
import { API_KEY_REJECTED } from './stripe/errors.js';

describe('needsReconnect', () => {
  it.each([
    ['Salesforce, as the adapter says it', retryable(SESSION_EXPIRED, undefined, 401), 'salesforce', SESSION_EXPIRED],
    [
      'Salesforce, through the flow runner',
      retryable(`deal-to-contract › fetch-deal: ${SESSION_EXPIRED}`, undefined, 401),
      'salesforce',
      SESSION_EXPIRED,
    ],
    ['HubSpot', retryable(`deal-to-contract › fetch-deal: ${TOKEN_REJECTED}`), 'hubspot', TOKEN_REJECTED],
    [
      'QuickBooks on a 401',
      retryable(`post-invoice-to-erp › create-invoice: ${QUICKBOOKS_TOKEN_EXPIRED}`, undefined, 401),
      'quickbooks',
      QUICKBOOKS_TOKEN_EXPIRED,
    ],
    [
      'Stripe, a rejected key',
      reconnectRequired(`collect-payment › create-payment: ${API_KEY_REJECTED}: Invalid API Key`),
      'stripe',
      `${API_KEY_REJECTED}: Invalid API Key`,
    ],
    [
      'Avalara, rejected credentials',
      reconnectRequired(`finalize-invoice › record-tax: ${CREDENTIALS_REJECTED}: AuthenticationException`),
      'avalara',
      `${CREDENTIALS_REJECTED}: AuthenticationException`,
    ],
    ['any adapter setting the flag', reconnectRequired('collect › charge: key revoked'), undefined, 'key revoked'],
  ])('recognises %s', (_, failure, vendor, reason) => {
    expect(needsReconnect(failure)).toEqual({ vendor, reason });
  });

  it.each([
    ['a rate limit', retryable('Salesforce REQUEST_LIMIT_EXCEEDED: too many', 60_000, 403)],
    ['the QuickBooks phrase without a 401', retryable(QUICKBOOKS_TOKEN_EXPIRED, undefined, 500)],
    ['a reason that merely starts like one', retryable(`${SESSION_EXPIRED} later`)],
    ['a permanent failure', permanent(SESSION_EXPIRED)],
  ])('ignores %s', (_, failure) => {
    expect(needsReconnect(failure)).toBeUndefined();
  });
});

describe('flaggedReconnect (the job queue without the registry)', () => {
  it('takes the flag alone, on the job’s own connection', () => {
    expect(flaggedReconnect(reconnectRequired(`collect › charge: ${API_KEY_REJECTED}`))).toEqual({
      vendor: undefined,
      reason: API_KEY_REJECTED,
    });
    expect(flaggedReconnect(retryable(SESSION_EXPIRED, undefined, 401))).toBeUndefined();
  });
});
