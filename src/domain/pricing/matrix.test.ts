import { describe, expect, it } from 'vitest';
import { type PriceSpec, parsePriceSpec, ratePrice, tryRatePrice } from './index';

// Orb docs, legacy matrix pricing: dimensions cluster_name × region, alpha/west at 2.00, default 3.00.
const orb: PriceSpec = {
  model: 'matrix',
  dimensions: ['cluster_name', 'region'],
  rows: [{ match: { cluster_name: 'alpha', region: 'west' }, price: { model: 'per_unit', unit_amount: '2.00' } }],
  default: { model: 'per_unit', unit_amount: '3.00' },
};

const usage = (properties?: Record<string, string>) => ({
  quantity: '10',
  currency: 'USD',
  ...(properties ? { properties } : {}),
});

describe('matrix', () => {
  it('Orb docs matrix example: alpha/west usage is priced at its cell (10 × 2.00)', () => {
    const rated = ratePrice(orb, usage({ cluster_name: 'alpha', region: 'west' }));
    expect(rated.model).toBe('matrix');
    expect(rated.amountMinor).toBe(2000);
    expect(rated.breakdown[0].label).toBe('[cluster_name=alpha, region=west] Per unit');
  });

  it.each([
    [{ cluster_name: 'beta', region: 'west' }],
    [{ cluster_name: 'alpha', region: 'east' }],
    [{ cluster_name: 'alpha' }],
    [undefined],
  ])('Orb docs matrix example: unmatched usage %j falls back to the 3.00 default', (properties) => {
    const rated = ratePrice(orb, usage(properties));
    expect(rated.amountMinor).toBe(3000);
    expect(rated.breakdown[0].label).toBe('[default] Per unit');
  });

  it('ignores properties that are not dimensions', () => {
    expect(ratePrice(orb, usage({ cluster_name: 'alpha', region: 'west', team: 'x' })).amountMinor).toBe(2000);
  });

  it('a cell can hold any model, explained tier by tier', () => {
    const spec: PriceSpec = {
      model: 'matrix',
      dimensions: ['region'],
      rows: [
        {
          match: { region: 'eu' },
          price: {
            model: 'tiered',
            tiers: [
              { up_to: 5, unit_amount: '1' },
              { up_to: null, unit_amount: '0.5' },
            ],
          },
        },
      ],
    };
    const rated = ratePrice(spec, usage({ region: 'eu' }));
    expect(rated.amountMinor).toBe(750);
    expect(rated.breakdown.map((l) => l.label)).toEqual([
      '[region=eu] Tier 1 (up to 5)',
      '[region=eu] Tier 2 (over 5)',
    ]);
  });

  it('no matching row and no default is an error naming usage.properties', () => {
    const noDefault: PriceSpec = { ...orb, default: undefined } as PriceSpec;
    const result = tryRatePrice(noDefault, usage({ cluster_name: 'gamma', region: 'west' }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].path).toBe('usage.properties');
  });

  it.each([
    [
      { ...orb, rows: [{ match: { cluster_name: 'alpha' }, price: { model: 'flat_fee', amount: '1' } }] },
      'rows.0.match',
    ],
    [
      {
        ...orb,
        rows: [
          { match: { cluster_name: 'a', region: 'w' }, price: { model: 'flat_fee', amount: '1' } },
          { match: { cluster_name: 'a', region: 'w' }, price: { model: 'flat_fee', amount: '2' } },
        ],
      },
      'rows.1.match',
    ],
    [
      {
        ...orb,
        rows: [
          {
            match: { cluster_name: 'a', region: 'w' },
            price: {
              model: 'tiered',
              tiers: [
                { up_to: 10, unit_amount: '1' },
                { up_to: 5, unit_amount: '1' },
                { up_to: null, unit_amount: '1' },
              ],
            },
          },
        ],
      },
      'rows.0.price.tiers.1.up_to',
    ],
    [{ ...orb, default: { model: 'per_unit', unit_amount: '-3' } }, 'default.unit_amount'],
    [{ ...orb, dimensions: ['region', 'region'] }, 'dimensions'],
    [{ model: 'matrix', dimensions: ['region'], rows: [] }, 'rows'],
  ])('invalid matrix %# names %s', (input, path) => {
    const result = parsePriceSpec(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });

  it('a nested price in another currency is refused', () => {
    const spec = {
      ...orb,
      rows: [
        {
          match: { cluster_name: 'alpha', region: 'west' },
          price: { model: 'per_unit', unit_amount: '2', currency: 'EUR' },
        },
      ],
    };
    const result = tryRatePrice(spec, usage({ cluster_name: 'alpha', region: 'west' }));
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'price.currency', message: 'the price is in EUR but the usage is in USD' }],
    });
  });
});
