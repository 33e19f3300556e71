/**
 * Block pricing inside graduated tiers (issue 11), as Kill Bill's consumable usage blocks: a
 * <block> of <size>1000</size> pageviews at 5 USD bills every started 1000 pageviews at 5 USD
 * (catalog: https://killbill.github.io/slate/catalog.html). Per tier: ceil(units in tier ÷ N) × price.
 */
import { describe, expect, it } from 'vitest';
import { type PriceSpec, parsePriceSpec, ratePrice } from './index';

const usd = (quantity: string) => ({ quantity, currency: 'USD' });

const pageviews: PriceSpec = {
  model: 'tiered',
  tiers: [{ up_to: null, unit_amount: '5', block_size: '1000' }],
} as PriceSpec;

const tieredBlocks: PriceSpec = {
  model: 'tiered',
  tiers: [
    { up_to: 10000, unit_amount: '5', block_size: '1000' },
    { up_to: null, unit_amount: '3', block_size: '1000', flat_amount: '1' },
  ],
} as PriceSpec;

describe('tiered with block_size', () => {
  it.each([
    ['0', 0], // no block started
    ['1', 500], // one started block
    ['1000', 500], // exactly one block
    ['1001', 1000], // the 1001st unit starts block 2
    ['2500', 1500], // ceil(2.5) = 3 blocks × 5
  ])('one tier of 1000-unit blocks at 5 USD: %s units → %i minor', (q, want) => {
    expect(ratePrice(pageviews, usd(q)).amountMinor).toBe(want);
  });

  it('blocks are counted per tier: 12 500 units → 10 × 5 + (1 flat + ceil(2.5) × 3) = 60 USD', () => {
    const r = ratePrice(tieredBlocks, usd('12500'));
    expect(r.amountMinor).toBe(6000);
    expect(r.breakdown.map((b) => [b.quantity, b.amount])).toEqual([
      ['10000', '50'],
      ['2500', '10'],
    ]);
    expect(r.breakdown[1]!.label).toContain('3 blocks of 1000');
  });

  it('without block_size a tier is per unit, as before', () => {
    const perUnit = { model: 'tiered', tiers: [{ up_to: null, unit_amount: '0.005' }] } as PriceSpec;
    expect(ratePrice(perUnit, usd('2500')).amountMinor).toBe(1250);
  });

  it('refuses a block size of zero, and block_size on a volume price, naming the field', () => {
    const zero = parsePriceSpec({ model: 'tiered', tiers: [{ up_to: null, unit_amount: '5', block_size: '0' }] });
    expect(zero.ok).toBe(false);
    if (!zero.ok) expect(zero.issues.map((i) => i.path)).toContain('tiers.0.block_size');
    const volume = parsePriceSpec({ model: 'volume', tiers: [{ up_to: null, unit_amount: '5', block_size: '10' }] });
    expect(volume.ok).toBe(false);
  });
});
