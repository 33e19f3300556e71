/** Each flow's rate-limit bucket is the vendor it was given, never a fixed name. */
import { describe, expect, it } from 'vitest';
import type { AdapterSet } from '../adapters/ports.js';
import { flows } from './index.js';

const adapters = {
  tax: { vendor: 'tax-vendor' },
  payment: { vendor: 'payment-vendor' },
  erp: { vendor: 'erp-vendor' },
} as unknown as AdapterSet;

describe('flow connection keys', () => {
  it.each([
    ['deal-to-contract', 'hubspot'],
    ['deal-amendment', 'hubspot'],
    ['crm-write-back', 'hubspot'],
    ['finalize-invoice', 'tax-vendor'],
    ['issue-credit-note', 'tax-vendor'],
    ['collect-payment', 'payment-vendor'],
    ['record-payment', 'payment-vendor'],
    ['record-dispute', 'payment-vendor'],
    ['dunning-retry', 'payment-vendor'],
    ['post-invoice-to-erp', 'erp-vendor'],
    ['post-payment-to-erp', 'erp-vendor'],
    ['post-journal-to-erp', 'erp-vendor'],
    ['post-refund-to-erp', 'erp-vendor'],
    ['void-invoice', 'payment-vendor'],
  ])('%s → %s', (name, key) => {
    expect(flows[name]!.connectionKey({ adapters, input: { system: 'hubspot' } })).toBe(key);
  });

  it('covers every flow', () => {
    // Every flow is in the table above: a new one must say which bucket it uses.
    expect(Object.keys(flows)).toHaveLength(14);
  });
});
