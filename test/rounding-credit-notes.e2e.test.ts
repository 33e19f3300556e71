/**
 * Credit notes of rounded invoices on Node against the simulators (issues #10, #11):
 * - A refund off the payment provider's step: Stripe refunds KWD only in tens of fils
 *   (https://docs.stripe.com/currencies#special-cases), so a credit note of 1.089 KWD is refunded
 *   1.080 and the 9 fils left become customer credit, shown on the note and in the ledger.
 * - A credit note for the whole of a cash-rounded invoice (CHF to 0.05) carries the invoice's
 *   rounding difference, so the credit equals the invoice total exactly, with nothing left over.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { customerCreditBalance } from '../src/db/repos/customer-credit.js';
import { customerCreditEntries, ledgerEntries, ledgerLines } from '../src/db/schema.js';
import { configureConnection, type Harness, readJson, startHarness } from './support/harness.js';
import { billMarch, CHF_CASH, json, TO_PROVIDER } from './support/rounding-fixtures.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const detail = async (id: string) => readJson(await h.api(`/api/v1/invoices/${id}`));

async function creditNote(invoiceId: string, body: unknown) {
  const res = await h.api(`/api/v1/invoices/${invoiceId}/credit-notes`, json('POST', body));
  return { status: res.status, body: await readJson(res) };
}

/** The ledger lines of one entry kind, as [account, debit, credit]. */
async function entryLines(kind: string) {
  const entries = await h.db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, kind));
  const lines = await h.db.select().from(ledgerLines);
  return entries.flatMap((e) =>
    lines.filter((l) => l.entryId === e.id).map((l) => [l.account, l.debitMinor, l.creditMinor] as const),
  );
}

describe("a refund off the provider's step", () => {
  it('KWD at Stripe: a 1.089 credit note is refunded 1.080, and the 9 fils become customer credit', async () => {
    const invoice = await billMarch(h, 'KWD', '4.713', TO_PROVIDER);
    expect(invoice).toMatchObject({ status: 'paid', total_minor: 5130 });
    // 1.000 of the line and its tax share: 418 × 1000 / 4713 = 88.7 → 89 fils.
    const made = await creditNote(invoice.id, {
      reason: 'product_unsatisfactory',
      lines: [{ line_no: 1, amount_minor: 1000 }],
      settlement: 'refund',
    });
    expect(made.status).toBe(202);
    await h.settle();
    const note = await detail(made.body.id);
    expect(note).toMatchObject({ status: 'paid', total_minor: 1089 });
    expect(note.credit_note).toMatchObject({
      settlement: 'refund',
      settled_split: { refund_minor: 1080, customer_credit_minor: 9 },
    });
    // Stripe was asked for a multiple of 10 fils only.
    const refunds = [...h.sims.stripe.state.refunds.values()];
    expect(refunds.map((r) => [r.currency, r.amount])).toEqual([['kwd', 1080]]);
    // The 9 fils are the customer's, once, keyed by the note.
    const entries = await h.db
      .select()
      .from(customerCreditEntries)
      .where(and(eq(customerCreditEntries.orgId, h.orgId), eq(customerCreditEntries.creditNoteId, note.id)));
    expect(entries.map((e) => e.amountMinor)).toEqual([9]);
    expect(await customerCreditBalance(h.db, h.orgId, invoice.customer_id, 'KWD')).toBe(9);
    // One refund entry: the receivable the note left is settled 1.080 in cash, 0.009 to customer credit.
    expect(await entryLines('refund_issued')).toEqual([
      ['accounts_receivable', 1089, 0],
      ['cash', 0, 1080],
      ['customer_credit', 0, 9],
    ]);
  });
});

describe('a credit note for the whole of a cash-rounded invoice', () => {
  const creditMemos = () => [
    ...(
      [...h.sims.quickbooks.state.realms.values()][0] as unknown as {
        entities: { CreditMemo?: Map<string, { DocNumber: string; TotalAmt: number; Line: { Amount?: number }[] }> };
      }
    ).entities.CreditMemo!.values(),
  ];

  it('CHF 11.29 charged 11.30: the whole credit carries the 0.01 and refunds exactly 11.30, books at zero', async () => {
    const invoice = await billMarch(h, 'CHF', '10.37', CHF_CASH);
    expect(invoice).toMatchObject({
      status: 'paid',
      subtotal_minor: 1037,
      tax_minor: 92,
      rounding_minor: 1,
      total_minor: 1130,
    });
    const made = await creditNote(invoice.id, { reason: 'duplicate', settlement: 'refund' });
    expect(made.status).toBe(202);
    expect(made.body).toMatchObject({ subtotal_minor: 1037, tax_minor: 92, rounding_minor: 1, total_minor: 1130 });
    await h.settle();
    const note = await detail(made.body.id);
    expect(note).toMatchObject({
      status: 'paid',
      subtotal_minor: 1037,
      tax_minor: 92,
      rounding_minor: 1,
      total_minor: 1130,
    });
    expect(note.credit_note.settled_split).toEqual({ refund_minor: 1130, customer_credit_minor: 0 });
    expect([...h.sims.stripe.state.refunds.values()].map((r) => [r.currency, r.amount])).toEqual([['chf', 1130]]);
    // The credit memo gives back the rounding line the invoice posted.
    const memo = creditMemos().find((m) => m.DocNumber === note.number)!;
    expect(memo.TotalAmt).toBe(11.3);
    expect(memo.Line.map((l) => l.Amount)).toContain(0.01);
    // Nothing is left to credit: not even the rounding cent.
    expect((await creditNote(invoice.id, { reason: 'other', settlement: 'refund' })).status).toBe(409);
    const lines = await h.db.select().from(ledgerLines).where(eq(ledgerLines.orgId, h.orgId));
    const net = (account: string) =>
      lines.filter((l) => l.account === account).reduce((n, l) => n + l.debitMinor - l.creditMinor, 0);
    expect(net('rounding_difference')).toBe(0);
    expect(net('accounts_receivable')).toBe(0);
    expect(net('revenue')).toBe(0);
    expect(net('tax_payable')).toBe(0);
  });

  it('an open invoice rounded down (11.21 → 11.20) is credited whole by reduce_due, not refused for the 0.01', async () => {
    // 10.30 × 8.875 % = 0.914 → 0.91 tax; 11.21 cash-rounded to 11.20. Stripe confirms no method: it stays open.
    await configureConnection(h, 'stripe', 'testPaymentMethod', '');
    const invoice = await billMarch(h, 'CHF', '10.30', CHF_CASH);
    expect(invoice).toMatchObject({ status: 'finalized', tax_minor: 91, rounding_minor: -1, total_minor: 1120 });
    // Before the rounding was carried, the whole credit was 11.21 > 11.20: a 409.
    const made = await creditNote(invoice.id, { reason: 'order_change' });
    expect(made.status).toBe(202);
    expect(made.body.total_minor).toBe(invoice.total_minor);
    await h.settle();
    const after = await detail(invoice.id);
    expect(after).toMatchObject({ status: 'paid', amount_due_minor: 0 });
    expect((await detail(made.body.id)).rounding_minor).toBe(invoice.rounding_minor);
  });
});
