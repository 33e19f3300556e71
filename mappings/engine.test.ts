import { describe, expect, it } from 'vitest';
import { termsFromDraft } from '../src/domain/contracts/from-draft.js';
import type { DealBundle } from '../src/domain/deal.js';
import { firstAdvanceInvoice } from '../src/domain/invoice.js';
import {
  applyMapping,
  checkDefinition,
  defaultMappings,
  evaluationError,
  mapDeal,
  mappingDefinitionSchema,
  mappingFailure,
} from './index.js';

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

  it('looks products up by CRM code: hub SKU and name, a simple model at the CRM price, or a hub price spec', async () => {
    const set = {
      ...defaultMappings.salesforce,
      lookups: {
        ...defaultMappings.salesforce.lookups,
        products: {
          PLAT: { sku: 'platform-2026', name: 'Platform (2026 list)', model: 'per_unit' },
          p2: { sku: 'seat', price: { model: 'flat_fee', amount: '500.00' } },
        },
      },
    };
    const result = await applyMapping(set, bundle());
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.draft.lines.map((l) => [l.sku, l.productName, l.price])).toEqual([
      // The catalog's per_unit beats the Subscription family rule; the CRM's price stays.
      ['platform-2026', 'Platform (2026 list)', { model: 'per_unit', unit_amount: '1000.00' }],
      // A full price spec from the catalog replaces the CRM's price; the CRM name stays.
      ['seat', 'Seat', { model: 'flat_fee', amount: '500.00' }],
    ]);
  });

  it('bills a catalog flat fee sold in several units per unit, never once for all', async () => {
    const lines = [{ ...bundle().lineItems[0]!, productCode: 'PLATFORM', quantity: '3' }];
    const result = await applyMapping(defaultMappings.salesforce, bundle({}, lines));
    expect(result.ok && result.value.draft.lines[0]!.price).toEqual({ model: 'per_unit', unit_amount: '1000.00' });
  });

  it.each([
    ['€', 'EUR'],
    ['US$', 'USD'],
    ['CHF', 'CHF'],
  ])('maps the CRM currency %s to %s', async (crm, iso) => {
    for (const set of [defaultMappings.salesforce, defaultMappings.hubspot]) {
      const result = await applyMapping(set, bundle({ currency: crm }));
      expect(result.ok && result.value.draft.currency).toBe(iso);
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

  it('retries an evaluation that ran out of time instead of dead-lettering a good deal', () => {
    // JSONata's timeout error (code D1012), as it throws under load.
    const timeout = Object.assign(new Error('Evaluation timeout after 250 milliseconds'), { code: 'D1012' });
    const timedOut = evaluationError('customer.email', 'billingContact.email', timeout);
    expect(timedOut.timedOut).toBe(true);
    const failure = mappingFailure(defaultMappings.salesforce, bundle(), [timedOut]);
    expect(failure.kind).toBe('retryable');
    expect(failure.reason).toContain('customer.email');
    // Any other evaluation error says the expression or the deal is wrong: a person must look.
    const other = evaluationError('currency', '$unknownFn(deal)', Object.assign(new Error('x'), { code: 'T1006' }));
    expect(other.timedOut).toBeUndefined();
    expect(mappingFailure(defaultMappings.salesforce, bundle(), [other]).kind).toBe('permanent');
  });
});

describe('mappings that set richer contract terms', () => {
  const base = defaultMappings.salesforce;
  const withFields = (fields: Record<string, string>) => ({ ...base, fields: { ...base.fields, ...fields } });
  /** The two demo lines (platform l1, seats l2) with `platform` and `seats` merged into each. */
  const lines = (platform: string, seats: string) =>
    `[lineItems.{ 'sourceLineId': id, 'sku': productCode ? productCode : productId, 'productName': productName, 'description': description ? description : productName, 'quantity': quantity, 'price': { 'model': 'per_unit', 'unit_amount': unitPrice } }] ~> $map(function($l) { $merge([$l, $l.sourceLineId = 'l1' ? ${platform} : ${seats}]) })`;
  const tiered = `{ 'price': { 'model': 'tiered', 'tiers': [{ 'up_to': 10, 'unit_amount': '50.00' }, { 'up_to': null, 'unit_amount': '40.00' }] } }`;
  const annualFee = `{ 'price': { 'model': 'flat_fee', 'amount': '12000.00' }, 'cadence': 'annual' }`;

  const mapped = async (fields: Record<string, string>) => {
    const result = await mapDeal(withFields(fields), bundle());
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.value.draft;
  };
  const errorsOf = async (fields: Record<string, string>) => {
    const result = await mapDeal(withFields(fields), bundle());
    if (result.ok) throw new Error('expected the mapping to refuse the deal');
    return result.errors.map((e) => ({ path: e.path, message: e.message }));
  };

  it('keeps the default mappings as they were: monthly in advance, no end, no renewal', async () => {
    const draft = await mapped({});
    const terms = termsFromDraft(draft);
    expect(terms.endDate).toBeNull();
    expect(terms.renewal).toEqual({ policy: 'none' });
    expect(terms.phases[0]!.items.map((i) => [i.quantity, i.cadence, i.timing])).toEqual([
      ['1', 'monthly', 'in_advance'],
      ['25', 'monthly', 'in_advance'],
    ]);
  });

  it('maps a tiered price (graduated, as the pricing engine rates it) and an annual in-advance fee', async () => {
    const draft = await mapped({ lines: lines(annualFee, tiered) });
    expect(draft.lines[1]!.price).toEqual({
      model: 'tiered',
      tiers: [
        { up_to: 10, unit_amount: '50.00' },
        { up_to: null, unit_amount: '40.00' },
      ],
    });
    const terms = termsFromDraft(draft);
    expect(terms.phases[0]!.items.map((i) => [i.id, i.cadence, i.timing, i.quantity])).toEqual([
      ['l1', 'annual', 'in_advance', '1'],
      ['l2', 'monthly', 'in_advance', '25'],
    ]);
    const first = firstAdvanceInvoice(terms);
    if (!first.ok || !first.invoice) throw new Error('expected a first invoice');
    expect(first.invoice.periodStart).toBe('2026-03-01');
    expect(first.invoice.periodEnd).toBe('2026-04-01');
    // 12,000.00 for the year + 10 × 50.00 + 15 × 40.00 for the first month of seats.
    expect(first.invoice.lines.map((l) => l.amountMinor)).toEqual([1_200_000, 110_000]);
    expect(first.invoice.totalMinor).toBe(1_310_000);
  });

  it('maps a metered line billed in arrears: a metric instead of a quantity, kept off the first invoice', async () => {
    const metered = `{ 'metric': 'api_calls', 'timing': 'in_arrears', 'freeUnits': '1000', 'price': { 'model': 'per_unit', 'unit_amount': '0.01' } }`;
    const draft = await mapped({ lines: lines('{}', metered) });
    const item = termsFromDraft(draft).phases[0]!.items[1]!;
    expect(item).toMatchObject({ metric: 'api_calls', timing: 'in_arrears', cadence: 'monthly', freeUnits: '1000' });
    expect(item.quantity).toBeUndefined();
    const first = firstAdvanceInvoice(termsFromDraft(draft));
    expect(first.ok && first.invoice?.lines.map((l) => l.sourceRef)).toEqual(['l1']);
  });

  it('sets the term (endDate or termMonths) and the renewal policy, copied into the terms', async () => {
    const draft = await mapped({ termMonths: '12', renewal: "{ 'policy': 'auto_renew' }" });
    const terms = termsFromDraft(draft);
    expect(terms.endDate).toBe('2027-03-01');
    expect(terms.renewal).toEqual({ policy: 'auto_renew' });
    expect(termsFromDraft(await mapped({ endDate: "'2026-09-01'" })).endDate).toBe('2026-09-01');
  });

  it('carries the billing conventions into the terms: anchor, end of month, proration, rounding, coupons and wallets', async () => {
    const draft = await mapped({
      proration: "{ 'dayCount': 'by_second', 'changeDay': 'old_side' }",
      rounding:
        "{ 'mode': 'half_up', 'level': 'line', 'cashIncrement': '0.05', 'providerAmounts': 'round_to_provider' }",
      coupons: "[{ 'id': 'welcome', 'amount': '150.00' }]",
      wallets: "[{ 'id': 'w', 'rate': '10', 'topUps': [{ 'credits': '1000', 'on': '2026-03-01' }] }]",
      alignment: "{ 'anchorDay': 15 }",
      endOfMonth: "'stay_clamped'",
    });
    const terms = termsFromDraft(draft);
    expect(terms.alignment).toEqual({ anchorDay: 15 });
    expect(terms.endOfMonth).toBe('stay_clamped');
    expect(terms.proration).toEqual({ dayCount: 'by_second', changeDay: 'old_side' });
    expect(terms.rounding).toMatchObject({ cashIncrement: '0.05', providerAmounts: 'round_to_provider' });
    expect(terms.coupons).toEqual([{ id: 'welcome', amount: '150.00' }]);
    expect(terms.wallets![0]!.rate).toBe('10');
    // The deal's first invoice draws on them at once: the coupon before the wallet.
    const first = firstAdvanceInvoice(terms);
    if (!first.ok || !first.invoice) throw new Error('expected a first invoice');
    expect(first.invoice.lines.some((l) => l.sourceRef === 'coupon:welcome')).toBe(true);
  });

  it.each([
    ['an unknown cadence', { lines: lines("{ 'cadence': 'weekly' }", '{}') }, 'lines.0.cadence'],
    ['an unknown timing', { billingTiming: "'later'" }, 'billingTiming'],
    ['an unknown price model', { lines: lines("{ 'price': { 'model': 'bespoke' } }", '{}') }, 'lines.0.price.model'],
    [
      'tiers out of order',
      {
        lines: lines(
          '{}',
          "{ 'price': { 'model': 'tiered', 'tiers': [{ 'up_to': 20, 'unit_amount': '1' }, { 'up_to': 10, 'unit_amount': '2' }] } }",
        ),
      },
      'lines.1.price.tiers.1.up_to',
    ],
    ['a metered line billed in advance', { lines: lines('{}', "{ 'metric': 'api_calls' }") }, 'lines.1.timing'],
    ['a line with neither quantity nor metric', { lines: lines('{}', "{ 'quantity': null }") }, 'lines.1.quantity'],
    ['an end date before the start', { endDate: "'2026-01-01'" }, 'endDate'],
    ['an end date and a term length', { endDate: "'2027-03-01'", termMonths: '12' }, 'termMonths'],
    ['auto-renewal without an end', { renewal: "{ 'policy': 'auto_renew' }" }, 'renewal.policy'],
    ['nothing billed in advance', { billingTiming: "'in_arrears'" }, 'lines'],
    ['an unknown day count', { proration: "{ 'dayCount': 'by_minute' }" }, 'proration.dayCount'],
    [
      'a wallet without a rate',
      { wallets: "[{ 'id': 'w', 'topUps': [{ 'credits': '1', 'on': '2026-03-01' }] }]" },
      'wallets.0.rate',
    ],
  ])('refuses %s with a per-field error', async (_, fields, path) => {
    const errors = await errorsOf(fields);
    expect(errors.map((e) => e.path)).toContain(path);
    for (const e of errors) expect(e.message).toEqual(expect.any(String));
  });

  it('checks optional target fields of a definition like required ones', () => {
    const { id: _i, version: _v, crm: _c, ...definition } = base;
    const parsed = mappingDefinitionSchema.parse({
      ...definition,
      fields: { ...definition.fields, endDate: 'deal.(' },
    });
    expect(checkDefinition(parsed).map((e) => e.path)).toEqual(['fields.endDate']);
  });
});
