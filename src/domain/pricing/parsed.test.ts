/** rateParsedPrice and the zod-free reading of plain usage give what ratePrice gives. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PriceSpec, rateParsedPrice, ratePrice, tryRateParsedPrice, tryRatePrice } from './index';

const specs: PriceSpec[] = [
  { model: 'flat_fee', amount: '100.00' },
  { model: 'per_unit', unit_amount: '0.002' },
  { model: 'package', package_size: '100', package_amount: '5.00' } as PriceSpec,
  {
    model: 'tiered',
    tiers: [
      { up_to: 1000, unit_amount: '0.01' },
      { up_to: null, unit_amount: '0.005', flat_amount: '2.00' },
    ],
  } as PriceSpec,
];
const quantity = fc.oneof(
  fc.nat(10_000_000).map(String),
  fc.tuple(fc.nat(100_000), fc.nat(9999)).map(([a, b]) => `${a}.${String(b).padStart(4, '0')}`),
);
const currency = fc.constantFrom('USD', 'JPY', 'KWD');

describe('rateParsedPrice', () => {
  it('rates a parsed spec like ratePrice, plain usage like usage zod reads', () => {
    for (const spec of specs) expect(tryRatePrice(spec, { quantity: '1', currency: 'USD' }).ok).toBe(true);
    fc.assert(
      fc.property(fc.constantFrom(...specs), quantity, currency, (spec, q, cur) => {
        const want = ratePrice(spec, { quantity: q, currency: cur, properties: { read: 'by zod' } });
        expect(rateParsedPrice(spec, { quantity: q, currency: cur })).toEqual(want);
        expect(rateParsedPrice(spec, { quantity: q, currency: cur, properties: {} })).toEqual(want);
        expect(ratePrice(spec, { quantity: q, currency: cur })).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('reports bad usage with the same issues as ratePrice', () => {
    const spec: PriceSpec = { model: 'per_unit', unit_amount: '1' };
    for (const usage of [
      { quantity: '-1', currency: 'USD' },
      { quantity: '1e3', currency: 'USD' },
      { quantity: 5, currency: 'USD' },
      { quantity: '1', currency: 'XXX' },
      { quantity: '1', currency: 'USD', properties: { region: 1 } },
      { quantity: '1', currency: 'USD', secondaryQuantity: 'x' },
      null,
    ]) {
      const want = tryRatePrice(spec, usage);
      expect(want.ok).toBe(false);
      expect(tryRateParsedPrice(spec, usage)).toEqual(want);
    }
  });
});
