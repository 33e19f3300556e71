import { describe, expect, it } from 'vitest';
import { type DocumentSource, periodText, printableInvoice } from './invoice-document.js';

const source = (
  over: Partial<DocumentSource['invoice']> = {},
  extra: Partial<DocumentSource> = {},
): DocumentSource => ({
  seller: { name: 'Acme' },
  customer: { name: 'Globex', email: null, address: null },
  invoice: {
    id: 'inv_1',
    number: 'INV-000001',
    documentKind: 'recurring',
    status: 'finalized',
    currency: 'KWD',
    periodStart: '2026-01-01',
    periodEnd: '2026-02-01',
    issueDate: '2026-01-01',
    dueDate: '2026-01-31',
    subtotalMinor: 1000,
    taxMinor: 50,
    totalMinor: 1050,
    amountPaidMinor: 0,
    ...over,
  },
  creditedMinor: 0,
  lines: [],
  payments: [],
  credit: null,
  ...extra,
});

describe('printableInvoice', () => {
  it.each([
    ['2026-01-01', '2026-02-01', '2026-01-01 – 2026-01-31'],
    ['2026-02-01', '2026-03-01', '2026-02-01 – 2026-02-28'],
    ['2026-03-15', '2026-03-16', '2026-03-15'],
  ])('prints the end-exclusive period %s..%s as %s', (start, end, text) => {
    expect(periodText(start, end)).toBe(text);
  });

  it('formats in the currency exponent and ends on what is due', () => {
    const doc = printableInvoice(source({ amountPaidMinor: 300 }, { creditedMinor: 250 }));
    expect(doc.totals).toEqual([
      ['Subtotal', 'KWD 1.000'],
      ['Tax', 'KWD 0.050'],
      ['Total', 'KWD 1.050'],
      ['Paid', 'KWD -0.300'],
      ['Credit notes', 'KWD -0.250'],
      ['Amount due', 'KWD 0.500'],
    ]);
    expect(doc.watermark).toBeNull();
  });

  it('owes nothing once void, and says so across the page', () => {
    const doc = printableInvoice(source({ status: 'void' }));
    expect(doc.watermark).toBe('VOID');
    expect(doc.totals.at(-1)).toEqual(['Amount due', 'KWD 0.000']);
  });

  it('names an unnumbered credited invoice by id', () => {
    const doc = printableInvoice(
      source(
        { documentKind: 'credit_note', number: null },
        { credit: { invoiceId: 'inv_9', invoiceNumber: null, reason: 'duplicate', memo: null } },
      ),
    );
    expect(doc.title).toBe('Draft credit note');
    expect(doc.watermark).toBe('DRAFT');
    expect(doc.facts).toContainEqual(['Credits invoice', 'inv_9 (draft)']);
    expect(doc.facts).toContainEqual(['Reason', 'Duplicate charge']);
    expect(doc.totals.map(([label]) => label)).toEqual(['Subtotal', 'Tax', 'Total credited']);
  });
});
