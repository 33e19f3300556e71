import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ratePrice } from './index.js';
import { ratePerEvent, tryRatePerEvent } from './per-event.js';

/**
 * Lago's graduated percentage example, paid in advance per transaction
 * (https://getlago.com/docs/guide/plans/charges/charge-models/graduated-percentage):
 * tier 1 up to 1,000 at 1 % + 200 flat, tier 2 up to 10,000 at 2 % + 300 flat, then 3 % + 400.
 * The quantity is the transaction amount in USD, so a graduated tier at 0.01 per unit is 1 %.
 */
const lago = {
  model: 'tiered',
  tiers: [
    { up_to: 1000, unit_amount: '0.01', flat_amount: '200' },
    { up_to: 10000, unit_amount: '0.02', flat_amount: '300' },
    { up_to: null, unit_amount: '0.03', flat_amount: '400' },
  ],
};
const usd = { quantity: '0', currency: 'USD' };

describe('ratePerEvent', () => {
  it("Lago's example: $500 → $205.00, $550 → $306.00, $4,000 → $80.00; the period total is $591", () => {
    const r = ratePerEvent(lago, usd, ['500', '550', '4000']);
    expect(r.charges.map((c) => c.amountMinor)).toEqual([20_500, 30_600, 8000]);
    expect(r.charges.map((c) => [c.before, c.after])).toEqual([
      ['0', '500'],
      ['500', '1050'],
      ['1050', '5050'],
    ]);
    // "The total is 5,050 USD … The calculated fee is 591 USD" — one bill of the total.
    expect(r.totalMinor).toBe(59_100);
    expect(ratePrice(lago as never, { quantity: '5050', currency: 'USD' }).amountMinor).toBe(59_100);
  });

  it('continues a period from what was already billed (usage.quantity): the flat fee is not charged again', () => {
    const r = ratePerEvent(lago, { quantity: '500', currency: 'USD' }, ['550']);
    expect(r.charges[0]!.amountMinor).toBe(30_600);
  });

  it('a flat_fee price is charged once, with the first event', () => {
    const r = ratePerEvent({ model: 'flat_fee', amount: '49.00' }, usd, ['1', '3', '2']);
    expect(r.charges.map((c) => c.amountMinor)).toEqual([4900, 0, 0]);
  });

  it('refuses percent and tiered_2d prices, and bad event quantities, naming the field', () => {
    expect(tryRatePerEvent({ model: 'percent', rate: '1' }, usd, ['1'])).toMatchObject({
      ok: false,
      issues: [{ path: 'price.model' }],
    });
    expect(tryRatePerEvent(lago, usd, ['1', '-2'])).toMatchObject({ ok: false, issues: [{ path: 'events.1' }] });
    expect(tryRatePerEvent(lago, usd, [])).toMatchObject({ ok: false, issues: [{ path: 'events' }] });
    expect(tryRatePerEvent({ model: 'per_unit' }, usd, ['1'])).toMatchObject({ ok: false });
  });

  it('property: per-event charges add up exactly to one bill of the total, and none is negative', () => {
    const specs = [
      lago,
      {
        model: 'volume',
        tiers: [
          { up_to: 10, unit_amount: '3.333' },
          { up_to: null, unit_amount: '2.5', flat_amount: '7' },
        ],
      },
      { model: 'package', package_size: '10', package_amount: '4.99' },
      { model: 'per_unit', unit_amount: '0.0137' },
      {
        model: 'tiered',
        tiers: [
          { up_to: 5, unit_amount: '1', block_size: '2' },
          { up_to: null, unit_amount: '0.5' },
        ],
      },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...specs),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 30 }),
        (spec, events) => {
          const r = ratePerEvent(
            spec,
            usd,
            events.map((e) => String(e / 10)),
          );
          const total = events.reduce((a, b) => a + b, 0) / 10;
          const once = ratePrice(spec as never, { quantity: String(total), currency: 'USD' }).amountMinor;
          expect(r.charges.reduce((n, c) => n + c.amountMinor, 0)).toBe(once);
          expect(r.totalMinor).toBe(once);
          // Graduated, package and per-unit costs never fall as usage grows; volume can (a cheaper band).
          if (spec.model !== 'volume') for (const c of r.charges) expect(c.amountMinor).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
