import { describe, expect, it } from 'vitest';
import { type CreditableInvoice, defaultSettlement, type EarlierCredit, planCreditNote } from './credit-notes.js';

// Two lines: 100.00 with 8.25 tax, 33.33 with 2.75 tax; total 144.33.
const open: CreditableInvoice = {
  status: 'finalized',
  totalMinor: 14_433,
  amountPaidMinor: 0,
  lines: [
    { lineNo: 1, amountMinor: 10_000, taxMinor: 825 },
    { lineNo: 2, amountMinor: 3_333, taxMinor: 275 },
  ],
};
const paid: CreditableInvoice = { ...open, status: 'paid', amountPaidMinor: 14_433 };

const note = (over: Partial<EarlierCredit>): EarlierCredit => ({
  status: 'finalized',
  totalMinor: 0,
  settlement: 'reduce_due',
  lines: [],
  ...over,
});

describe('planCreditNote', () => {
  it('credits the whole invoice, every line with its whole tax, lowering what is due', () => {
    const planned = planCreditNote(open, [], {});
    expect(planned).toEqual({
      ok: true,
      plan: {
        lines: [
          { creditsLineNo: 1, amountMinor: 10_000, taxMinor: 825 },
          { creditsLineNo: 2, amountMinor: 3_333, taxMinor: 275 },
        ],
        netMinor: 13_333,
        taxMinor: 1_100,
        roundingMinor: 0,
        totalMinor: 14_433,
        settlement: 'reduce_due',
      },
    });
  });

  it('gives back the tax share of a partial amount, rounded half up, and the rest of the tax with the rest of the line', () => {
    // 825 × 3333 / 10000 = 274.97 → 275.
    const first = planCreditNote(open, [], { lines: [{ lineNo: 1, amountMinor: 3_333 }] });
    expect(first.ok && first.plan.lines).toEqual([{ creditsLineNo: 1, amountMinor: 3_333, taxMinor: 275 }]);
    const earlier = note({ totalMinor: 3_608, lines: [{ creditsLineNo: 1, amountMinor: 3_333, taxMinor: 275 }] });
    const rest = planCreditNote(open, [earlier], { lines: [{ lineNo: 1 }] });
    // The remainder takes exactly what the sale's tax has left: 825 − 275.
    expect(rest.ok && rest.plan.lines).toEqual([{ creditsLineNo: 1, amountMinor: 6_667, taxMinor: 550 }]);
  });

  it('skips fully credited lines on a whole-invoice credit and ignores void credit notes', () => {
    const line1 = note({ totalMinor: 10_825, lines: [{ creditsLineNo: 1, amountMinor: 10_000, taxMinor: 825 }] });
    const voided = note({
      status: 'void',
      totalMinor: 3_608,
      lines: [{ creditsLineNo: 2, amountMinor: 3_333, taxMinor: 275 }],
    });
    const planned = planCreditNote(open, [line1, voided], {});
    expect(planned.ok && planned.plan.lines).toEqual([{ creditsLineNo: 2, amountMinor: 3_333, taxMinor: 275 }]);
    expect(planned.ok && planned.plan.totalMinor).toBe(3_608);
  });

  it('refuses more than a line has left (409) and nothing left at all (409)', () => {
    const tooMuch = planCreditNote(open, [], { lines: [{ lineNo: 1, amountMinor: 10_001 }] });
    expect(tooMuch).toMatchObject({ ok: false, status: 409, field: 'lines.0.amount_minor' });
    const all = note({
      totalMinor: 14_433,
      lines: [
        { creditsLineNo: 1, amountMinor: 10_000, taxMinor: 825 },
        { creditsLineNo: 2, amountMinor: 3_333, taxMinor: 275 },
      ],
    });
    expect(planCreditNote(open, [all], {})).toMatchObject({
      ok: false,
      status: 409,
      detail: 'nothing is left to credit on this invoice',
    });
  });

  it('never lets the credit notes of an invoice exceed its total', () => {
    // An earlier note not tied to lines (an amendment's) took 140.00 of the 144.33.
    const unlinked = note({ totalMinor: 14_000, lines: [{ creditsLineNo: null, amountMinor: 14_000, taxMinor: 0 }] });
    const planned = planCreditNote(open, [unlinked], {});
    expect(planned).toMatchObject({ ok: false, status: 409 });
    expect(!planned.ok && planned.detail).toContain('433 (minor units) is left to credit, 14433 asked');
  });

  it('answers 400 for a line the invoice lacks, a line named twice, or a non-positive amount', () => {
    expect(planCreditNote(open, [], { lines: [{ lineNo: 9 }] })).toMatchObject({
      status: 400,
      field: 'lines.0.line_no',
    });
    expect(planCreditNote(open, [], { lines: [{ lineNo: 1 }, { lineNo: 1 }] })).toMatchObject({
      status: 400,
      field: 'lines.1.line_no',
    });
    expect(planCreditNote(open, [], { lines: [{ lineNo: 2, amountMinor: 0 }] })).toMatchObject({
      status: 400,
      field: 'lines.0.amount_minor',
    });
  });

  it('credits only issued invoices', () => {
    for (const status of ['draft', 'tax_pending', 'void'] as const) {
      expect(planCreditNote({ ...open, status }, [], {})).toMatchObject({ ok: false, status: 409 });
    }
  });

  it('settles a paid invoice by refund by default, at most what was paid and not refunded', () => {
    const planned = planCreditNote(paid, [], { lines: [{ lineNo: 2 }] });
    expect(planned.ok && planned.plan.settlement).toBe('refund');
    const refunded = note({
      settlement: 'refund',
      totalMinor: 10_825,
      lines: [{ creditsLineNo: 1, amountMinor: 10_000, taxMinor: 825 }],
    });
    const partlyPaid: CreditableInvoice = { ...paid, amountPaidMinor: 12_000 };
    // 120.00 paid, 108.25 refunded: 11.75 can still be paid back; line 2 is 36.08.
    expect(planCreditNote(partlyPaid, [refunded], { lines: [{ lineNo: 2 }], settlement: 'refund' })).toMatchObject({
      ok: false,
      status: 409,
      field: 'settlement',
    });
    expect(planCreditNote(paid, [refunded], { lines: [{ lineNo: 2 }], settlement: 'customer_credit' })).toMatchObject({
      ok: true,
    });
  });

  it('keeps reduce_due for open invoices and within what is due', () => {
    expect(planCreditNote(paid, [], { settlement: 'reduce_due' })).toMatchObject({ ok: false, field: 'settlement' });
    expect(planCreditNote(open, [], { settlement: 'refund' })).toMatchObject({ ok: false, field: 'settlement' });
    const partly: CreditableInvoice = { ...open, status: 'partially_paid', amountPaidMinor: 10_000 };
    // 44.33 is due; the whole 144.33 cannot lower it.
    const planned = planCreditNote(partly, [], {});
    expect(!planned.ok && planned.detail).toBe(
      'reduce_due needs the credit to fit in what is still due: 4433 is due, 14433 asked',
    );
  });
});

describe('defaultSettlement', () => {
  it('lowers what is due while the note fits, else keeps it as customer credit', () => {
    expect(defaultSettlement(open, 0, 14_433)).toBe('reduce_due');
    expect(defaultSettlement(open, 10_000, 4_434)).toBe('customer_credit');
    expect(defaultSettlement(paid, 0, 1)).toBe('customer_credit');
  });
});

describe('planCreditNote on a cash-rounded invoice (CHF to 0.05)', () => {
  // 10.37 + 0.92 tax = 11.29, cash-rounded up to 11.30: rounding +1.
  const up: CreditableInvoice = {
    status: 'paid',
    totalMinor: 1130,
    roundingMinor: 1,
    amountPaidMinor: 1130,
    lines: [{ lineNo: 1, amountMinor: 1037, taxMinor: 92 }],
  };
  // 11.22 rounded down to 11.20: rounding −2; without it, the whole credit (11.22) would be refused.
  const down: CreditableInvoice = {
    status: 'finalized',
    totalMinor: 1120,
    roundingMinor: -2,
    amountPaidMinor: 0,
    lines: [{ lineNo: 1, amountMinor: 1030, taxMinor: 92 }],
  };

  it('the whole credit carries the rounding difference and equals the invoice total exactly', () => {
    const planned = planCreditNote(up, [], { settlement: 'refund' });
    expect(planned.ok && planned.plan).toMatchObject({
      netMinor: 1037,
      taxMinor: 92,
      roundingMinor: 1,
      totalMinor: 1130,
    });
    const refused = planCreditNote(down, [], {});
    expect(refused.ok && refused.plan).toMatchObject({ roundingMinor: -2, totalMinor: 1120, settlement: 'reduce_due' });
  });

  it('a partial credit gives back exact amounts; the note that credits the rest carries the rounding', () => {
    const first = planCreditNote(up, [], { lines: [{ lineNo: 1, amountMinor: 500 }], settlement: 'customer_credit' });
    // 92 × 500 / 1037 = 44.4 → 44.
    expect(first.ok && first.plan).toMatchObject({ roundingMinor: 0, totalMinor: 544 });
    const earlier = note({
      totalMinor: 544,
      settlement: 'customer_credit',
      lines: [{ creditsLineNo: 1, amountMinor: 500, taxMinor: 44 }],
    });
    const rest = planCreditNote(up, [earlier], { settlement: 'refund' });
    expect(rest.ok && rest.plan).toMatchObject({ netMinor: 537, taxMinor: 48, roundingMinor: 1, totalMinor: 586 });
    // Together: 544 + 586 = 1130, the invoice total; nothing is left to credit.
    const after = note({
      totalMinor: 586,
      roundingMinor: 1,
      lines: [{ creditsLineNo: 1, amountMinor: 537, taxMinor: 48 }],
    });
    expect(planCreditNote(up, [earlier, after], {})).toMatchObject({ ok: false, status: 409 });
  });
});
