import { describe, expect, it } from 'vitest';
import type { DealBundle } from '../src/domain/deal.js';
import { applyMapping, defaultMappings } from './index.js';

const bundle = (
  over: Partial<DealBundle['deal']> = {},
  lineItems?: DealBundle['lineItems'],
  contacts: DealBundle['contacts'] = [],
): DealBundle => ({
  source: 'salesforce',
  deal: {
    id: '006000000000001AAA',
    name: 'Acme renewal',
    stage: 'Closed Won',
    isWon: true,
    closeDate: '2026-03-01',
    currency: 'EUR',
    amount: '2000.00',
    accountId: '001000000000001AAA',
    lastModified: '2026-03-01T10:00:00Z',
    renewalOf: null,
    ...over,
  },
  account: { id: '001000000000001AAA', name: 'Acme GmbH', email: null, billingAddress: null },
  lineItems: lineItems ?? [
    {
      id: 'l1',
      productId: 'p1',
      productCode: 'PLAT',
      productName: 'Platform',
      quantity: '1',
      unitPrice: '1000.00',
      description: null,
      attributes: { 'Product2.Family': 'Subscription' },
    },
    {
      id: 'l2',
      productId: 'p2',
      productCode: null,
      productName: 'Seat',
      quantity: '25',
      unitPrice: '40.00',
      description: 'Seats',
      attributes: { 'Product2.Family': 'Seat' },
    },
  ],
  contacts,
});

describe('default Salesforce mapping', () => {
  it('maps an opportunity to a contract draft, flat fee and per-unit lines', async () => {
    const result = await applyMapping(defaultMappings.salesforce, bundle());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.mappingVersion).toBe('salesforce-opportunity@2');
    expect(result.value.draft.currency).toBe('EUR');
    expect(result.value.draft.lines).toEqual([
      {
        sourceLineId: 'l1',
        sku: 'PLAT',
        productName: 'Platform',
        description: 'Platform',
        quantity: '1',
        price: { model: 'flat_fee', amount: '1000.00' },
      },
      {
        sourceLineId: 'l2',
        sku: 'p2',
        productName: 'Seat',
        description: 'Seats',
        quantity: '25',
        price: { model: 'per_unit', unit_amount: '40.00' },
      },
    ]);
  });

  const person = (id: string, role: string | null, isPrimary: boolean, email: string | null) => ({
    id,
    firstName: 'Sam',
    lastName: id,
    email,
    phone: null,
    role,
    isPrimary,
  });

  it.each([
    ['no contacts', [], null],
    ['only an unlabelled contact', [person('c1', null, false, 'c1@acme.example')], 'c1@acme.example'],
    [
      'a billing contact beside the primary one (role case ignored)',
      [
        person('c1', 'Decision Maker', true, 'dm@acme.example'),
        person('c2', 'billing CONTACT', false, 'ap@acme.example'),
      ],
      'ap@acme.example',
    ],
    [
      'a billing contact without email: the primary one',
      [person('c1', 'Decision Maker', true, 'dm@acme.example'), person('c2', 'Billing Contact', false, null)],
      'dm@acme.example',
    ],
    [
      'a primary contact without email: the first contact with one',
      [person('c1', null, true, null), person('c2', 'Influencer', false, 'inf@acme.example')],
      'inf@acme.example',
    ],
  ])("the customer's email with %s", async (_, contacts, email) => {
    for (const set of [defaultMappings.salesforce, defaultMappings.hubspot]) {
      const result = await applyMapping(set, bundle({}, undefined, contacts));
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.value.draft.customer.email).toBe(email);
    }
  });

  it('falls back to the default currency when the CRM has none', async () => {
    const result = await applyMapping(defaultMappings.salesforce, bundle({ currency: null }));
    expect(result.ok && result.value.draft.currency).toBe('USD');
  });

  it.each([
    ['no line items', bundle({}, []), 'lines', /no line items/],
    ['an unknown currency', bundle({ currency: 'XYZ' }), 'currency', /unknown currency "XYZ"/],
    ['a bad close date', bundle({ closeDate: '03/01/2026' }), 'startDate', /YYYY-MM-DD/],
  ])('refuses a deal with %s, naming the field', async (_, input, field, reason) => {
    const result = await applyMapping(defaultMappings.salesforce, input);
    expect(result.ok).toBe(false);
    if (result.ok || result.kind !== 'permanent') throw new Error('expected a permanent failure');
    expect(result.field).toBe(field);
    expect(result.reason).toMatch(reason);
  });

  it('reports an expression that fails to evaluate with its path', async () => {
    const broken = {
      ...defaultMappings.salesforce,
      fields: { ...defaultMappings.salesforce.fields, currency: '$unknownFn(deal)' },
    };
    const result = await applyMapping(broken, bundle());
    expect(!result.ok && result.kind === 'permanent' && result.field).toBe('currency');
  });
});
