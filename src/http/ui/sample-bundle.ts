/**
 * The deal the mapping editor's preview starts with (a closed-won Salesforce Opportunity with a
 * platform fee and seats), so an admin sees a contract before pasting a real bundle. Its paths are
 * also the editor's list of source fields.
 */
import type { DealBundle } from '../../domain/deal.js';

export const SAMPLE_BUNDLE: DealBundle = {
  source: 'salesforce',
  deal: {
    id: '006000000000001AAA',
    name: 'Acme platform and seats',
    stage: 'Closed Won',
    isWon: true,
    closeDate: '2026-03-01',
    currency: 'USD',
    amount: '2000.00',
    accountId: '001000000000001AAA',
    lastModified: '2026-03-01T10:00:00Z',
    renewalOf: null,
  },
  account: {
    id: '001000000000001AAA',
    name: 'Acme Inc.',
    email: 'billing@acme.example',
    billingAddress: { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
  },
  lineItems: [
    {
      id: '00k000000000001AAA',
      productId: '01t000000000001AAA',
      productCode: 'PLATFORM',
      productName: 'Platform',
      quantity: '1',
      unitPrice: '1000.00',
      description: null,
      attributes: { 'Product2.Family': 'Platform' },
    },
    {
      id: '00k000000000002AAA',
      productId: '01t000000000002AAA',
      productCode: 'SEAT',
      productName: 'Seat',
      quantity: '25',
      unitPrice: '40.00',
      description: 'Seats',
      attributes: { 'Product2.Family': 'Seat' },
    },
  ],
  contacts: [
    {
      id: '003000000000001AAA',
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@acme.example',
      phone: null,
      role: 'Billing Contact',
      isPrimary: true,
    },
  ],
};

/** Every leaf path of a value ("lineItems[0].unitPrice" becomes "lineItems.unitPrice"), for the source field list. */
export function sourceFieldPaths(value: unknown, prefix = '', out = new Set<string>()): string[] {
  if (Array.isArray(value)) {
    for (const item of value) sourceFieldPaths(item, prefix, out);
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `\`${key}\``;
      sourceFieldPaths(child, prefix ? `${prefix}.${name}` : name, out);
    }
  } else if (prefix) {
    out.add(prefix);
  }
  return [...out];
}
