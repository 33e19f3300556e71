import { describe, expect, it } from 'vitest';
import { type PriceSpec, ratePrice, tryRatePrice } from './index';

const usd = (quantity: string, transactions?: string[]) => ({
  quantity,
  currency: 'USD',
  ...(transactions ? { transactions } : {}),
});

describe('percent', () => {
  it('Lago docs percentage example (1.2% + $0.10, first 3 events or $500 free): 4th transaction of $50 → $0.70', () => {
    const lago: PriceSpec = {
      model: 'percent',
      rate_percent: '1.2',
      fixed_amount_per_txn: '0.10',
      free_events: 3,
      free_amount: '500',
    };
    const rated = ratePrice(lago, usd('450', ['200', '100', '100', '50']));
    expect(rated.amountMinor).toBe(70);
    expect(rated.breakdown).toEqual([
      { label: 'Free allowance (3 free transactions)', quantity: '400', amount: '0' },
      { label: '1.2% of 1 charged transactions', quantity: '50', rate_percent: '1.2', amount: '0.6' },
      { label: 'Fixed fee per charged transaction', quantity: '1', unit_amount: '0.10', amount: '0.1' },
    ]);
  });

  it('Lago docs per-transaction template (card payments online 2.9% + $0.30): $10 and $100 → $3.79', () => {
    const card: PriceSpec = { model: 'percent', rate_percent: '2.9', fixed_amount_per_txn: '0.30' };
    // 0.29 + 0.30 and 2.90 + 0.30
    expect(ratePrice(card, usd('110', ['10', '100'])).amountMinor).toBe(379);
  });

  const onTotal: PriceSpec = { model: 'percent', rate_percent: '1.2' };

  it.each([
    ['0', 0],
    ['1000', 1200],
    ['0.5', 1], // 0.6 cents rounds half_up to 1
    ['1000000000000', 1200000000000], // 1e12 USD of volume, exact
  ])('on the total without per-transaction terms: %s → %i cents', (quantity, cents) => {
    expect(ratePrice(onTotal, usd(quantity)).amountMinor).toBe(cents);
  });

  it.each([
    ['400', 0],
    ['500', 0], // exactly the free amount
    ['500.01', 0], // 0.012 cents
    ['1000', 600],
  ])('free_amount on the total: %s → %i cents', (quantity, cents) => {
    const free: PriceSpec = { model: 'percent', rate_percent: '1.2', free_amount: '500' };
    expect(ratePrice(free, usd(quantity)).amountMinor).toBe(cents);
  });

  it('a transaction that crosses the free amount pays the rate on the part above it, plus the fixed fee', () => {
    const spec: PriceSpec = { model: 'percent', rate_percent: '1.2', fixed_amount_per_txn: '0.10', free_amount: '500' };
    // 400 free; of 300, 100 is free and 200 × 1.2% = 2.40, + 0.10
    expect(ratePrice(spec, usd('700', ['400', '300'])).amountMinor).toBe(250);
  });

  it('min and max per transaction raise and cap each charge', () => {
    const spec: PriceSpec = {
      model: 'percent',
      rate_percent: '2',
      fixed_amount_per_txn: '0',
      min_per_txn: '1',
      max_per_txn: '5',
    };
    const rated = ratePrice(spec, usd('1110', ['10', '100', '1000']));
    // 0.20 → 1.00, 2.00 stays, 20.00 → 5.00
    expect(rated.amountMinor).toBe(800);
    expect(rated.breakdown.map((l) => [l.label, l.amount])).toEqual([
      ['2% of 3 charged transactions', '22.2'],
      ['Fixed fee per charged transaction', '0'],
      ['Raised to the per-transaction minimum of 1', '0.8'],
      ['Capped at the per-transaction maximum of 5', '-15'],
    ]);
  });

  it('rounds each transaction at line level and only the total at document level', () => {
    const spec: PriceSpec = { model: 'percent', rate_percent: '1', fixed_amount_per_txn: '0' };
    const usage = usd('1.5', ['0.50', '0.50', '0.50']); // 0.5 cent each
    const line = ratePrice(spec, usage, { rounding: { mode: 'half_up', level: 'line' } });
    const doc = ratePrice(spec, usage, { rounding: { mode: 'half_up', level: 'document' } });
    expect(line.unroundedAmount).toBe('1.5');
    expect(line.amountMinor).toBe(3);
    expect(doc.unroundedAmount).toBe('1.5');
    expect(doc.amountMinor).toBe(2);
    expect(ratePrice(spec, usage, { rounding: { mode: 'half_even', level: 'line' } }).amountMinor).toBe(0);
  });

  it('free_events alone makes the first transactions free', () => {
    const spec: PriceSpec = { model: 'percent', rate_percent: '10', fixed_amount_per_txn: '1', free_events: 2 };
    expect(ratePrice(spec, usd('30', ['10', '10', '10'])).amountMinor).toBe(200);
    expect(ratePrice(spec, usd('20', ['10', '10'])).amountMinor).toBe(0);
    expect(ratePrice(spec, usd('0', [])).amountMinor).toBe(0);
  });

  it('per-transaction terms without a transaction list is an error naming usage.transactions', () => {
    const spec: PriceSpec = { model: 'percent', rate_percent: '1', fixed_amount_per_txn: '0.10' };
    expect(tryRatePrice(spec, usd('10'))).toEqual({
      ok: false,
      issues: [
        {
          path: 'usage.transactions',
          message: 'the price has per-transaction terms, so usage must list the transaction amounts',
        },
      ],
    });
  });

  it('a quantity that disagrees with the transactions is an error naming usage.quantity', () => {
    const result = tryRatePrice(onTotal, usd('10', ['4', '5']));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].path).toBe('usage.quantity');
  });
});
