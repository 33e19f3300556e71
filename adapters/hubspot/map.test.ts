import { describe, expect, it } from 'vitest';
import { decimalProperty, fromDeal, type HubSpotObject, productIdsToRead, toDateOnly } from './map.js';

const deal = (props: Record<string, string | null> = {}): HubSpotObject => ({
  id: '101',
  properties: {
    dealname: 'D',
    dealstage: 'closedwon',
    closedate: '2026-03-01T00:00:00Z',
    amount: '12.50',
    deal_currency_code: 'USD',
    hs_is_closed_won: 'true',
    hs_lastmodifieddate: '2026-03-01T12:00:00Z',
    ...props,
  },
});
const line = (props: Record<string, string | null> = {}): HubSpotObject => ({
  id: '201',
  properties: { name: 'Seat', quantity: '2', price: '6.25', hs_product_id: '301', hs_sku: 'SEAT', ...props },
});

describe('fromDeal', () => {
  it('keeps decimal strings exactly as HubSpot sent them', () => {
    const result = fromDeal(deal({ amount: '1000.10' }), null, [line({ quantity: '1.5000', price: '0.005' })]);
    expect(result.ok && result.value.deal.amount).toBe('1000.10');
    expect(result.ok && result.value.lineItems[0]).toMatchObject({ quantity: '1.5000', unitPrice: '0.005' });
  });

  it('an empty amount and an absent currency are null', () => {
    const result = fromDeal(deal({ amount: '', deal_currency_code: null }), null, []);
    expect(result.ok && result.value.deal).toMatchObject({ amount: null, currency: null });
  });

  it.each(['1,000.00', '1e3', '12.', 'NaN'])('rejects the deal amount %j as permanent', (amount) => {
    expect(fromDeal(deal({ amount }), null, [])).toMatchObject({ ok: false, kind: 'permanent', field: 'amount' });
  });

  it.each([
    [{ quantity: '' }, 'quantity'],
    [{ quantity: '2 seats' }, 'quantity'],
    [{ price: null }, 'price'],
    [{ price: '€5' }, 'price'],
    [{ hs_product_id: null }, 'hs_product_id'],
  ])('rejects the line item %j as permanent', (props, field) => {
    expect(fromDeal(deal(), null, [line(props)])).toMatchObject({ ok: false, kind: 'permanent', field });
  });

  it('isWon follows hs_is_closed_won, not the stage id', () => {
    const custom = fromDeal(deal({ dealstage: '987654321', hs_is_closed_won: 'true' }), null, []);
    const lost = fromDeal(deal({ dealstage: 'closedwon', hs_is_closed_won: 'false' }), null, []);
    expect(custom.ok && custom.value.deal.isWon).toBe(true);
    expect(lost.ok && lost.value.deal.isWon).toBe(false);
  });

  it('a deal without close date is permanent', () => {
    expect(fromDeal(deal({ closedate: null }), null, [])).toMatchObject({ kind: 'permanent', field: 'closedate' });
  });

  it('falls back to the product for a missing SKU or name', () => {
    const products = new Map([['301', { id: '301', properties: { name: 'Seat (product)', hs_sku: 'SEAT-P' } }]]);
    const result = fromDeal(deal(), null, [line({ hs_sku: null, name: '' })], { products });
    expect(result.ok && result.value.lineItems[0]).toMatchObject({
      productCode: 'SEAT-P',
      productName: 'Seat (product)',
      attributes: { hs_sku: 'SEAT-P', recurringbillingfrequency: null },
    });
  });
});

describe('helpers', () => {
  it('toDateOnly takes the UTC calendar date', () => {
    expect(toDateOnly('2026-01-15T00:00:00Z')).toBe('2026-01-15');
    expect(toDateOnly('2026-01-15')).toBe('2026-01-15');
    expect(toDateOnly('1768435200000')).toBe('2026-01-15');
    expect(toDateOnly('')).toBeNull();
  });

  it('decimalProperty', () => {
    expect(decimalProperty('-3.20')).toEqual({ value: '-3.20' });
    expect(decimalProperty(' ')).toEqual({ value: null });
    expect(decimalProperty('3,2')).toEqual({ invalid: '3,2' });
  });

  it('productIdsToRead lists only lines missing a SKU or name, once each', () => {
    expect(productIdsToRead([line(), line({ hs_sku: null }), { ...line({ hs_sku: '' }), id: '202' }])).toEqual(['301']);
  });
});
