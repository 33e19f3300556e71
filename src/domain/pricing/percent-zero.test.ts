/**
 * Percentage with a per-transaction fixed fee, when the period's transactions add up to zero
 * (issue 11). Lago's percentage model, https://getlago.com/docs/guide/plans/charges/charge-models/percentage:
 * "Fixed fee: fee that applies to each event ingested during the billing period".
 */
import { describe, expect, it } from 'vitest';
import { type PriceSpec, parsePriceSpec, ratePrice } from './index';

const card = (waive?: 'charge' | 'waive'): PriceSpec =>
  ({
    model: 'percent',
    rate_percent: '2.9',
    fixed_amount_per_txn: '0.30',
    ...(waive ? { fixed_fee_on_zero_total: waive } : {}),
  }) as PriceSpec;

const txns = (...amounts: string[]) => ({
  quantity: String(amounts.reduce((a, b) => a + Number(b), 0)),
  currency: 'USD',
  transactions: amounts,
});

describe('percent: fixed_fee_on_zero_total', () => {
  it('default (charge): two zero-amount transactions still pay 2 × 0.30 = 60 minor, as before', () => {
    expect(ratePrice(card(), txns('0', '0')).amountMinor).toBe(60);
    expect(ratePrice(card('charge'), txns('0', '0')).amountMinor).toBe(60);
  });

  it("'waive': a period whose total is zero pays no fixed fee", () => {
    const r = ratePrice(card('waive'), txns('0', '0'));
    expect(r.amountMinor).toBe(0);
    expect(r.breakdown.some((b) => b.label.includes('waived'))).toBe(true);
  });

  it("'waive' changes nothing when the total is not zero: 100 + 0 → 2.90 + 2 × 0.30 = 350 minor", () => {
    expect(ratePrice(card('waive'), txns('100', '0')).amountMinor).toBe(350);
  });

  it('refuses an unknown value, naming the field', () => {
    const r = parsePriceSpec({ ...card(), fixed_fee_on_zero_total: 'sometimes' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain('fixed_fee_on_zero_total');
  });
});
