/** Invariants that must hold for any price and any usage (fast-check, seeded by vitest's run). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, roundMinor } from '../money';
import { Dec } from './decimal';
import { chargeTransactions, type PriceSpec, pricesPerTransaction, ratePrice } from './index';

const decimalString = (maxInt: number, maxFractionDigits = 4) =>
  fc
    .tuple(fc.integer({ min: 0, max: maxInt }), fc.integer({ min: 0, max: 10 ** maxFractionDigits - 1 }))
    .map(([whole, fraction]) =>
      fraction === 0 ? `${whole}` : `${whole}.${String(fraction).padStart(maxFractionDigits, '0')}`,
    );

// Small enough that 1e12 units × amount still fits an exact integer of minor units.
const amount = decimalString(50, 4);
const quantity = fc.oneof(decimalString(10_000, 3), fc.constant('0'), fc.constant('1000000000000'));

const bounds = fc
  .uniqueArray(fc.integer({ min: 1, max: 20_000 }), { minLength: 0, maxLength: 4 })
  .map((xs) => [...xs].sort((a, b) => a - b));

const unitTiers = bounds
  .chain((ups) =>
    fc.tuple(
      ...[...ups, null].map((up_to) =>
        fc.record({
          up_to: fc.constant(up_to),
          unit_amount: amount,
          flat_amount: fc.option(amount, { nil: undefined }),
        }),
      ),
    ),
  )
  .map((tiers) => tiers.map((t) => (t.flat_amount === undefined ? { up_to: t.up_to, unit_amount: t.unit_amount } : t)));

const flatTiers = bounds.chain((ups) =>
  fc.tuple(...[...ups, null].map((up_to) => fc.record({ up_to: fc.constant(up_to), flat_amount: amount }))),
);

const transactions = fc.array(decimalString(5_000, 2), { maxLength: 30 });

const percentSpec = fc.record(
  {
    model: fc.constant('percent' as const),
    rate_percent: decimalString(100, 3),
    fixed_amount_per_txn: amount,
    min_per_txn: fc.constantFrom('0', '0.25'),
    max_per_txn: fc.constantFrom('50', '1000'),
    free_events: fc.integer({ min: 0, max: 5 }),
    free_amount: decimalString(2_000, 2),
  },
  { requiredKeys: ['model', 'rate_percent'] },
);

const spec: fc.Arbitrary<PriceSpec> = fc.oneof(
  fc.record({ model: fc.constant('flat_fee' as const), amount }),
  fc.record({ model: fc.constant('per_unit' as const), unit_amount: amount }),
  fc.record({
    model: fc.constant('package' as const),
    package_size: fc.integer({ min: 1, max: 1000 }).map(String),
    package_amount: amount,
    rounding: fc.constantFrom('up' as const, 'down' as const),
  }),
  unitTiers.map((tiers) => ({ model: 'tiered' as const, tiers })),
  unitTiers.map((tiers) => ({ model: 'volume' as const, tiers })),
  flatTiers.map((tiers) => ({ model: 'step' as const, tiers })),
  fc.record({ model: fc.constant('percent' as const), rate_percent: decimalString(100, 3) }),
);

const options = fc.record({
  rounding: fc.record({
    mode: fc.constantFrom('half_up' as const, 'half_even' as const, 'down' as const, 'up' as const),
    level: fc.constantFrom('line' as const, 'document' as const),
  }),
  zeroUsageBillsFirstTierFlat: fc.boolean(),
});

const sumMajor = (lines: { amount: string }[]) => lines.reduce((acc, l) => acc.add(l.amount), new Dec(0));

describe('pricing invariants', () => {
  it('volume and graduated agree when all usage is in the first tier', () => {
    fc.assert(
      fc.property(unitTiers, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (tiers, share, zeroFlat) => {
        const first = tiers[0].up_to ?? 20_000;
        const q = new Dec(first).mul(share.toFixed(6)).toDecimalPlaces(3, Dec.ROUND_DOWN).toFixed();
        const usage = { quantity: q, currency: 'USD' };
        const opts = { zeroUsageBillsFirstTierFlat: zeroFlat };
        const graduated = ratePrice({ model: 'tiered', tiers }, usage, opts);
        const volume = ratePrice({ model: 'volume', tiers }, usage, opts);
        expect(volume.unroundedAmount).toBe(graduated.unroundedAmount);
        expect(volume.amountMinor).toBe(graduated.amountMinor);
      }),
    );
  });

  it('the amount is never negative and the breakdown adds up to the unrounded amount', () => {
    fc.assert(
      fc.property(spec, quantity, options, (price, q, opts) => {
        const rated = ratePrice(price, { quantity: q, currency: 'USD' }, opts);
        expect(Number.isSafeInteger(rated.amountMinor)).toBe(true);
        expect(rated.amountMinor).toBeGreaterThanOrEqual(0);
        expect(new Dec(rated.unroundedAmount).isNegative()).toBe(false);
        expect(sumMajor(rated.breakdown).mul(100).toFixed()).toBe(new Dec(rated.unroundedAmount).toFixed());
        // Rounded once: never more than one minor unit away from the exact amount.
        expect(new Dec(rated.unroundedAmount).sub(rated.amountMinor).abs().lt(1)).toBe(true);
      }),
    );
  });

  it('graduated pricing never charges less for more usage', () => {
    fc.assert(
      fc.property(unitTiers, quantity, quantity, (tiers, a, b) => {
        const [low, high] = new Dec(a).lte(b) ? [a, b] : [b, a];
        const price: PriceSpec = { model: 'tiered', tiers };
        const rLow = ratePrice(price, { quantity: low, currency: 'USD' });
        const rHigh = ratePrice(price, { quantity: high, currency: 'USD' });
        expect(new Dec(rLow.unroundedAmount).lte(rHigh.unroundedAmount)).toBe(true);
      }),
    );
  });

  it('allocating a rated amount over its breakdown lines with money.ts allocate adds up', () => {
    fc.assert(
      fc.property(unitTiers, quantity, (tiers, q) => {
        const rated = ratePrice({ model: 'tiered', tiers }, { quantity: q, currency: 'USD' });
        const weights = rated.breakdown.map((l) => l.amount);
        fc.pre(weights.some((w) => !new Dec(w).isZero()));
        const parts = allocate(rated.amountMinor, weights);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(rated.amountMinor);
        expect(parts.every((p) => p >= 0)).toBe(true);
      }),
    );
  });

  it('per-transaction percent totals the per-transaction charges, rounded once at document level', () => {
    fc.assert(
      fc.property(percentSpec, transactions, (price, txns) => {
        const total = txns.reduce((acc, t) => acc.add(t), new Dec(0)).toFixed();
        const usage = { quantity: total, currency: 'USD', transactions: txns };
        const charges = chargeTransactions(
          price,
          txns.map((t) => new Dec(t)),
        );
        const exactMinor = charges.reduce((acc, c) => acc.add(c.charge), new Dec(0)).mul(100);

        const doc = ratePrice(price, usage, { rounding: { mode: 'half_up', level: 'document' } });
        expect(new Dec(doc.unroundedAmount).eq(exactMinor)).toBe(true);
        expect(doc.amountMinor).toBe(roundMinor(exactMinor, { mode: 'half_up', level: 'document' }));

        const line = ratePrice(price, usage, { rounding: { mode: 'half_up', level: 'line' } });
        // Line-level rounding rounds each transaction only when the price is charged per
        // transaction; without per-transaction terms the total is one line, rounded once.
        const perTxn = pricesPerTransaction(price)
          ? charges.map((c) => roundMinor(c.charge.mul(100), { mode: 'half_up', level: 'line' }))
          : [roundMinor(exactMinor, { mode: 'half_up', level: 'line' })];
        expect(line.amountMinor).toBe(perTxn.reduce((a, b) => a + b, 0));
        expect(line.unroundedAmount).toBe(doc.unroundedAmount);
      }),
    );
  });

  it('percent on the total equals per-transaction percent when there are no per-transaction terms', () => {
    fc.assert(
      fc.property(
        decimalString(100, 3),
        fc.option(decimalString(2_000, 2), { nil: undefined }),
        transactions,
        (rate, free, txns) => {
          const total = txns.reduce((acc, t) => acc.add(t), new Dec(0)).toFixed();
          const base = { model: 'percent' as const, rate_percent: rate, ...(free ? { free_amount: free } : {}) };
          const onTotal = ratePrice(base, { quantity: total, currency: 'USD' });
          const perTxn = ratePrice(
            { ...base, fixed_amount_per_txn: '0' },
            { quantity: total, currency: 'USD', transactions: txns },
            { rounding: { mode: 'half_up', level: 'document' } },
          );
          expect(perTxn.unroundedAmount).toBe(onTotal.unroundedAmount);
        },
      ),
    );
  });
});
