import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBalanced, invoiceIssuedEntry, paymentReceivedEntry, refundIssuedEntry } from './ledger.js';

describe('ledger', () => {
  it('books an issued invoice as AR against revenue and tax payable', () => {
    const entry = invoiceIssuedEntry({ number: 'INV-1', currency: 'USD', subtotalMinor: 200_000, taxMinor: 14_500 });
    expect(entry.ok && entry.value.lines).toEqual([
      { account: 'accounts_receivable', currency: 'USD', debitMinor: 214_500, creditMinor: 0 },
      { account: 'revenue', currency: 'USD', debitMinor: 0, creditMinor: 200_000 },
      { account: 'tax_payable', currency: 'USD', debitMinor: 0, creditMinor: 14_500 },
    ]);
  });

  it('books a payment as cash net of fees plus the fee expense against AR', () => {
    const entry = paymentReceivedEntry({
      invoiceNumber: 'INV-1',
      currency: 'USD',
      amountMinor: 214_500,
      feeMinor: 6_251,
    });
    expect(entry.ok && entry.value.lines).toEqual([
      { account: 'cash', currency: 'USD', debitMinor: 208_249, creditMinor: 0 },
      { account: 'payment_fees', currency: 'USD', debitMinor: 6_251, creditMinor: 0 },
      { account: 'accounts_receivable', currency: 'USD', debitMinor: 0, creditMinor: 214_500 },
    ]);
  });

  it('refuses an unbalanced entry', () => {
    const result = checkBalanced({
      kind: 'invoice_issued',
      memo: 'bad',
      lines: [
        { account: 'accounts_receivable', currency: 'USD', debitMinor: 100, creditMinor: 0 },
        { account: 'revenue', currency: 'USD', debitMinor: 0, creditMinor: 99 },
      ],
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/unbalanced in USD by 1/);
  });

  it('property: debits equal credits for any invoice and payment', () => {
    fc.assert(
      fc.property(fc.nat(1e12), fc.nat(1e10), (amount, other) => {
        for (const entry of [
          invoiceIssuedEntry({ number: 'N', currency: 'EUR', subtotalMinor: amount, taxMinor: other }),
          paymentReceivedEntry({ invoiceNumber: 'N', currency: 'EUR', amountMinor: amount + other, feeMinor: other }),
        ]) {
          expect(entry.ok).toBe(true);
          if (!entry.ok) return;
          const debit = entry.value.lines.reduce((s, l) => s + l.debitMinor, 0);
          const credit = entry.value.lines.reduce((s, l) => s + l.creditMinor, 0);
          expect(debit).toBe(credit);
        }
      }),
    );
  });
});

describe('refundIssuedEntry', () => {
  const amounts = (e: ReturnType<typeof refundIssuedEntry>) =>
    e.ok ? e.value.lines.map((l) => [l.account, l.debitMinor, l.creditMinor]) : e.reason;

  it("keeps the part below the provider's step as customer credit in the same entry", () => {
    // KWD 1.089 credit note at Stripe: 1.080 refunded, 9 fils kept.
    expect(
      amounts(
        refundIssuedEntry({ creditNoteNumber: 'CN-1', currency: 'KWD', amountMinor: 1080, keptAsCreditMinor: 9 }),
      ),
    ).toEqual([
      ['accounts_receivable', 1089, 0],
      ['cash', 0, 1080],
      ['customer_credit', 0, 9],
    ]);
    // All of it below one step: nothing goes through cash.
    expect(
      amounts(refundIssuedEntry({ creditNoteNumber: 'CN-2', currency: 'KWD', amountMinor: 0, keptAsCreditMinor: 7 })),
    ).toEqual([
      ['accounts_receivable', 7, 0],
      ['customer_credit', 0, 7],
    ]);
    expect(amounts(refundIssuedEntry({ creditNoteNumber: 'CN-3', currency: 'USD', amountMinor: 500 }))).toEqual([
      ['accounts_receivable', 500, 0],
      ['cash', 0, 500],
    ]);
  });
});
