/** fromDocument: a record read back for reconciliation, in NetSuite's REST shapes and the simulator's. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CURRENCY_IDS, fromDocument } from './map.js';

const mapping = { currencyIds: { ...DEFAULT_CURRENCY_IDS } };

describe('fromDocument', () => {
  it.each([
    ['open invoice, select field as {id, refName}', 'invoice', { status: { id: 'A', refName: 'Open' } }, 'open'],
    ['paid invoice, plain word', 'invoice', { status: 'Paid In Full' }, 'paid'],
    ['voided invoice (memo written by voidInvoice)', 'invoice', { memo: 'Voided: x', status: 'Open' }, 'voided'],
    ['payment with nothing applied', 'payment', { payment: 50, unapplied: 50 }, 'open'],
    ['payment applied', 'payment', { payment: 50, unapplied: 0 }, 'applied'],
    ['credit memo with credit left', 'credit_memo', { unapplied: 10 }, 'open'],
    ['credit memo used up', 'credit_memo', { unapplied: 0 }, 'applied'],
  ] as const)('%s', (_name, kind, fields, status) => {
    const body = { id: '42', tranId: 'INV-1', total: 50, currency: { id: '4', refName: 'EUR' }, ...fields };
    const state = fromDocument(body, kind, mapping);
    expect(state).toEqual({
      ok: true,
      value: { externalId: '42', number: 'INV-1', kind, total: '50', currency: 'EUR', status },
    });
  });

  it('prints a total exactly and refuses a record without one', () => {
    const read = fromDocument({ id: '7', total: 1297.81, currency: { id: '1' } }, 'invoice', mapping);
    expect(read.ok && read.value.total).toBe('1297.81');
    expect(fromDocument({ id: '7' }, 'invoice', mapping).ok).toBe(false);
  });
});
