import { describe, expect, it } from 'vitest';
import {
  compareDocuments,
  currentAndPreviousPeriod,
  dealsWithoutContract,
  type HubDocument,
  matchKey,
  periodBounds,
  type VendorDocument,
  vendorAmountMinor,
} from './reconciliation.js';

const inv = (over: Partial<HubDocument> = {}): HubDocument => ({
  kind: 'invoice',
  localId: 'inv_1',
  ref: 'INV-0001',
  status: 'open',
  amountMinor: 12_000,
  currency: 'USD',
  ...over,
});
const theirs = (over: Partial<VendorDocument> = {}): VendorDocument => ({
  kind: 'invoice',
  ref: 'INV-0001',
  externalId: '17',
  status: 'open',
  total: '120.00',
  currency: 'USD',
  ...over,
});
const run = (hub: HubDocument[], vendor: (VendorDocument | null)[], listed?: VendorDocument[]) =>
  compareDocuments({
    hub,
    vendor: new Map(hub.map((h, i) => [matchKey(h.kind, h.ref), vendor[i] ?? null])),
    ...(listed ? { vendorListed: listed } : {}),
  });

describe('compareDocuments', () => {
  it.each([
    ['same amount and status', inv(), theirs(), []],
    ['same amount written without decimals', inv(), theirs({ total: '120' }), []],
    ['vendor has none', inv(), null, ['missing']],
    ['amount differs by a cent', inv(), theirs({ total: '120.01' }), ['amount_differs']],
    ['more decimals than the currency has', inv(), theirs({ total: '120.001' }), ['amount_differs']],
    ['another currency', inv(), theirs({ currency: 'EUR' }), ['amount_differs']],
    ['voided in the hub, open in the ERP', inv({ status: 'voided' }), theirs(), ['status_differs']],
    ['open in the hub, voided in the ERP', inv(), theirs({ status: 'voided', total: '0' }), ['status_differs']],
    ['both voided, amounts zeroed by the ERP', inv({ status: 'voided' }), theirs({ status: 'voided', total: '0' }), []],
    ['paid in the hub, open in the ERP', inv({ status: 'paid' }), theirs(), ['status_differs']],
    [
      'JPY has no minor digits',
      inv({ currency: 'JPY', amountMinor: 120 }),
      theirs({ currency: 'JPY', total: '120' }),
      [],
    ],
    ['KWD has three', inv({ currency: 'KWD', amountMinor: 120_500 }), theirs({ currency: 'KWD', total: '120.5' }), []],
    [
      'provider amount in minor units',
      inv({ kind: 'payment', status: 'paid' }),
      theirs({ kind: 'payment', status: 'paid', total: undefined, amountMinor: 12_000 }),
      [],
    ],
    [
      'provider amount short',
      inv({ kind: 'payment', status: 'paid' }),
      theirs({ kind: 'payment', status: 'paid', total: undefined, amountMinor: 11_999 }),
      ['amount_differs'],
    ],
  ] as const)('%s', (_name, hub, vendor, expected) => {
    expect(run([hub], [vendor]).map((d) => d.kind)).toEqual(expected);
  });

  it('names both sides of a disagreement', () => {
    const [d] = run([inv()], [theirs({ total: '99.50' })]);
    expect(d).toMatchObject({
      kind: 'amount_differs',
      localId: 'inv_1',
      ref: 'INV-0001',
      externalId: '17',
      hubAmountMinor: 12_000,
      vendorAmountMinor: 9_950,
      currency: 'USD',
    });
    expect(d!.detail).toContain('INV-0001');
  });

  it('lists vendor objects with our reference that the hub does not know, once each', () => {
    const listed = [
      theirs(),
      theirs({ ref: 'INV-0099', externalId: '99' }),
      theirs({ ref: 'INV-0099', externalId: '99' }),
    ];
    const out = run([inv()], [theirs()], listed);
    expect(out.map((d) => [d.kind, d.ref, d.localId])).toEqual([['extra', 'INV-0099', null]]);
    expect(out[0]!.vendorAmountMinor).toBe(12_000);
  });

  it('matches by kind too: a payment and an invoice may share a reference', () => {
    const out = run([inv()], [theirs()], [theirs({ kind: 'payment', status: 'paid' })]);
    expect(out.map((d) => [d.kind, d.documentKind])).toEqual([['extra', 'payment']]);
  });

  it('an empty period is clean', () => {
    expect(run([], [], [])).toEqual([]);
  });
});

describe('vendorAmountMinor', () => {
  it.each([
    ['12.34', 'USD', 1234],
    ['-5', 'USD', -500],
    ['1e3', 'USD', null],
    ['abc', 'USD', null],
    ['0.5', 'JPY', null],
  ])('%s %s → %s', (total, currency, minor) => {
    expect(vendorAmountMinor(theirs({ total, currency }), currency)).toBe(minor);
  });
});

describe('dealsWithoutContract', () => {
  it('lists each closed-won deal the hub has no contract for', () => {
    const deals = [
      { localId: 'salesforce:006A', ref: '006A', amountMinor: 100, currency: 'USD' },
      { localId: 'salesforce:006B', ref: '006B', amountMinor: null, currency: null },
    ];
    const out = dealsWithoutContract(deals, new Set(['salesforce:006A']));
    expect(out.map((d) => [d.kind, d.documentKind, d.ref, d.vendorStatus])).toEqual([
      ['missing', 'deal', '006B', 'won'],
    ]);
  });
});

describe('periods', () => {
  it.each([
    ['2026-01', { start: '2026-01-01', end: '2026-02-01' }],
    ['2026-12', { start: '2026-12-01', end: '2027-01-01' }],
    ['2026-13', null],
    ['2026-1', null],
  ])('%s', (period, bounds) => {
    expect(periodBounds(period)).toEqual(bounds);
  });

  it('the current period and the one before, across a year', () => {
    expect(currentAndPreviousPeriod(new Date('2027-01-03T00:00:00Z'))).toEqual(['2026-12', '2027-01']);
    expect(currentAndPreviousPeriod(new Date('2026-07-31T23:59:59Z'))).toEqual(['2026-06', '2026-07']);
  });
});
