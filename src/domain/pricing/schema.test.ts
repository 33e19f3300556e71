import { describe, expect, it } from 'vitest';
import { parsePriceSpec, priceSpecSchema, tryRatePrice } from './index';

const tiered = (tiers: unknown) => ({ model: 'tiered', tiers });

describe('parsePriceSpec', () => {
  it.each([
    [{ model: 'flat_fee', amount: '10' }],
    [{ model: 'per_unit', unit_amount: '0.05', currency: 'USD' }],
    [{ model: 'package', package_size: '100', package_amount: '5', rounding: 'down', free_units: '0' }],
    [
      tiered([
        { up_to: 10, unit_amount: '1', flat_amount: '2' },
        { up_to: null, unit_amount: '0.5' },
      ]),
    ],
    [{ model: 'volume', tiers: [{ up_to: null, unit_amount: '1' }] }],
    [
      {
        model: 'step',
        tiers: [
          { up_to: 0, flat_amount: '0' },
          { up_to: null, flat_amount: '9' },
        ],
      },
    ],
    [{ model: 'percent', rate_percent: '2.9', fixed_amount_per_txn: '0.30', min_per_txn: '0.5', max_per_txn: '0.5' }],
  ])('accepts %j unchanged', (input) => {
    expect(parsePriceSpec(input)).toEqual({ ok: true, spec: input });
  });

  it.each([
    [{ model: 'subscription', amount: '1' }, 'model'],
    [{ amount: '1' }, 'model'],
    [{ model: 'flat_fee', amount: '-1' }, 'amount'],
    [{ model: 'flat_fee', amount: 'ten' }, 'amount'],
    [{ model: 'flat_fee', amount: '1e3' }, 'amount'],
    [{ model: 'flat_fee', amount: ' 1' }, 'amount'],
    [{ model: 'flat_fee', amount: '1.' }, 'amount'],
    [{ model: 'flat_fee', amount: 0.05 }, 'amount'],
    [{ model: 'per_unit', unit_amount: '0.05', currency: 'XYZ' }, 'currency'],
    [{ model: 'per_unit', unit_amount: '0.05', currency: 'usd' }, 'currency'],
    [tiered([]), 'tiers'],
    [tiered([{ up_to: 10, unit_amount: '1' }]), 'tiers.0.up_to'],
    [
      tiered([
        { up_to: 20, unit_amount: '1' },
        { up_to: 10, unit_amount: '1' },
        { up_to: null, unit_amount: '1' },
      ]),
      'tiers.1.up_to',
    ],
    [
      tiered([
        { up_to: 10, unit_amount: '1' },
        { up_to: 10, unit_amount: '1' },
        { up_to: null, unit_amount: '1' },
      ]),
      'tiers.1.up_to',
    ],
    [
      tiered([
        { up_to: null, unit_amount: '1' },
        { up_to: null, unit_amount: '1' },
      ]),
      'tiers.0.up_to',
    ],
    [
      tiered([
        { up_to: -1, unit_amount: '1' },
        { up_to: null, unit_amount: '1' },
      ]),
      'tiers.0.up_to',
    ],
    [tiered([{ up_to: null, unit_amount: '1', flat_amount: '-2' }]), 'tiers.0.flat_amount'],
    [tiered([{ up_to: null }]), 'tiers.0.unit_amount'],
    [{ model: 'volume', tiers: [{ up_to: 5, unit_amount: '1' }] }, 'tiers.0.up_to'],
    [
      {
        model: 'step',
        tiers: [
          { up_to: 5, flat_amount: '1' },
          { up_to: 4, flat_amount: '1' },
        ],
      },
      'tiers.1.up_to',
    ],
    [{ model: 'package', package_size: '0', package_amount: '5' }, 'package_size'],
    [{ model: 'package', package_size: '10', package_amount: '5', rounding: 'nearest' }, 'rounding'],
    [{ model: 'percent', rate_percent: '1', min_per_txn: '5', max_per_txn: '1' }, 'max_per_txn'],
    [{ model: 'percent', rate_percent: '1', free_events: 1.5 }, 'free_events'],
    [{ model: 'percent', rate_percent: '-1' }, 'rate_percent'],
  ])('rejects %j naming %s', (input, path) => {
    const result = parsePriceSpec(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.path)).toContain(path);
      for (const issue of result.issues) expect(issue.message.length).toBeGreaterThan(0);
    }
  });

  it('reports every bad tier, not just the first', () => {
    const result = parsePriceSpec(
      tiered([
        { up_to: 10, unit_amount: '1' },
        { up_to: 5, unit_amount: '1' },
        { up_to: 7, unit_amount: '1' },
      ]),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toEqual(['tiers.1.up_to', 'tiers.2.up_to']);
  });

  it('rejects a misspelt field instead of silently dropping it', () => {
    const result = parsePriceSpec(tiered([{ up_to: null, unit_amount: '1', flat_ammount: '5' }]));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      // The unknown key is named as the field itself, not only in the message about its object.
      expect(result.issues[0].path).toBe('tiers.0.flat_ammount');
      expect(result.issues[0].message).toBe('is not a known field');
    }
  });

  it('is the same check as priceSpecSchema', () => {
    expect(priceSpecSchema.safeParse({ model: 'flat_fee', amount: '-1' }).success).toBe(false);
  });
});

describe('usage validation (through tryRatePrice)', () => {
  const spec = { model: 'per_unit', unit_amount: '1' };
  it.each([
    [{ quantity: '-1', currency: 'USD' }, 'usage.quantity'],
    [{ quantity: '1e3', currency: 'USD' }, 'usage.quantity'],
    [{ quantity: 3, currency: 'USD' }, 'usage.quantity'],
    [{ quantity: '1', currency: 'XXX' }, 'usage.currency'],
    [{ quantity: '1' }, 'usage.currency'],
    [{ quantity: '1', currency: 'USD', transactions: ['1', '-2'] }, 'usage.transactions.1'],
    [{ quantity: '1', currency: 'USD', secondaryQuantity: 'x' }, 'usage.secondaryQuantity'],
  ])('rejects %j naming %s', (usage, path) => {
    const result = tryRatePrice(spec, usage);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });

  it('rejects an invalid spec with paths under price.', () => {
    const result = tryRatePrice(tiered([{ up_to: 3, unit_amount: '1' }]), { quantity: '1', currency: 'USD' });
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'price.tiers.0.up_to', message: 'the last tier must be open-ended (up_to: null)' }],
    });
  });
});
