/**
 * Random sequences of the events the hub books (finalize, pay with a fee, credit note to the
 * receivable or to customer credit, refund, customer credit applied, void, write-off, revenue
 * deferral and release) over invoices in currencies of exponent 0, 2 and 3: every entry balances
 * per currency, the trial balance's totals agree in every currency, and the receivable and
 * customer-credit balances equal what a plain model of the invoices says is owed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  creditNoteIssuedEntry,
  customerCreditAppliedEntry,
  invoiceIssuedEntry,
  invoiceVoidedEntry,
  type JournalEntry,
  paymentReceivedEntry,
  refundIssuedEntry,
  revenueRecognizedEntry,
  writeOffEntry,
} from '../ledger.js';
import type { Outcome } from '../outcome.js';
import { DEFAULT_CHART } from './chart-of-accounts.js';
import { trialBalance } from './trial-balance.js';

const CURRENCIES = ['USD', 'JPY', 'KWD', 'EUR'] as const;

type Event =
  | { t: 'finalize'; currency: (typeof CURRENCIES)[number]; subtotal: number; tax: number }
  | { t: 'pay'; invoice: number; share: number; fee: number }
  | { t: 'credit'; invoice: number; share: number; toCredit: boolean }
  | { t: 'refund'; invoice: number; share: number }
  | { t: 'apply'; invoice: number; share: number }
  | { t: 'void'; invoice: number }
  | { t: 'writeOff'; invoice: number }
  | { t: 'defer'; invoice: number; share: number; release: boolean };

const share = fc.double({ min: 0, max: 1, noNaN: true });
const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({
    t: fc.constant('finalize' as const),
    currency: fc.constantFrom(...CURRENCIES),
    subtotal: fc.integer({ min: 0, max: 10_000_000 }),
    tax: fc.integer({ min: 0, max: 1_000_000 }),
  }),
  fc.record({ t: fc.constant('pay' as const), invoice: fc.nat(20), share, fee: fc.integer({ min: 0, max: 500 }) }),
  fc.record({ t: fc.constant('credit' as const), invoice: fc.nat(20), share, toCredit: fc.boolean() }),
  fc.record({ t: fc.constant('refund' as const), invoice: fc.nat(20), share }),
  fc.record({ t: fc.constant('apply' as const), invoice: fc.nat(20), share }),
  fc.record({ t: fc.constant('void' as const), invoice: fc.nat(20) }),
  fc.record({ t: fc.constant('writeOff' as const), invoice: fc.nat(20) }),
  fc.record({ t: fc.constant('defer' as const), invoice: fc.nat(20), share, release: fc.boolean() }),
);

interface InvoiceModel {
  number: string;
  currency: string;
  subtotal: number;
  tax: number;
  /** What the customer still owes on the invoice (the receivable). */
  due: number;
  /** Owed back to the customer after a credit note to the receivable, until refunded. */
  refundable: number;
  deferred: number;
  closed: boolean;
}

/** Plays the events through the domain's entry builders, keeping the model's view beside them. */
function play(events: readonly Event[]) {
  const invoices: InvoiceModel[] = [];
  const entries: JournalEntry[] = [];
  const credit = new Map<string, number>();
  const book = (entry: Outcome<JournalEntry>) => {
    if (!entry.ok) throw new Error(entry.reason);
    entries.push(entry.value);
  };
  for (const e of events) {
    if (e.t === 'finalize') {
      const inv: InvoiceModel = {
        number: `INV-${invoices.length + 1}`,
        currency: e.currency,
        subtotal: e.subtotal,
        tax: e.tax,
        due: e.subtotal + e.tax,
        refundable: 0,
        deferred: 0,
        closed: false,
      };
      invoices.push(inv);
      book(
        invoiceIssuedEntry({ number: inv.number, currency: inv.currency, subtotalMinor: e.subtotal, taxMinor: e.tax }),
      );
      continue;
    }
    const inv = invoices[e.invoice % Math.max(invoices.length, 1)];
    if (!inv || inv.closed) continue;
    const part = (of: number) => Math.floor(of * ('share' in e ? e.share : 1));
    if (e.t === 'pay') {
      const amount = part(inv.due);
      if (amount === 0) continue;
      book(
        paymentReceivedEntry({
          invoiceNumber: inv.number,
          currency: inv.currency,
          amountMinor: amount,
          feeMinor: Math.min(e.fee, amount),
        }),
      );
      inv.due -= amount;
    } else if (e.t === 'credit') {
      // A credit note of net + tax in the invoice's proportions, at most what is still creditable.
      const net = part(inv.subtotal);
      const tax = part(inv.tax);
      if (net + tax === 0) continue;
      book(
        creditNoteIssuedEntry({
          number: `CN-${entries.length}`,
          invoiceNumber: inv.number,
          currency: inv.currency,
          netMinor: net,
          taxMinor: tax,
          toCustomerCredit: e.toCredit,
        }),
      );
      inv.subtotal -= net;
      inv.tax -= tax;
      if (e.toCredit) credit.set(inv.currency, (credit.get(inv.currency) ?? 0) + net + tax);
      else {
        // Lowers what is due; what exceeds it is owed back until a refund pays it out.
        const lowered = Math.min(inv.due, net + tax);
        inv.due -= lowered;
        inv.refundable += net + tax - lowered;
      }
    } else if (e.t === 'refund') {
      const amount = part(inv.refundable);
      if (amount === 0) continue;
      book(refundIssuedEntry({ creditNoteNumber: `CN-of-${inv.number}`, currency: inv.currency, amountMinor: amount }));
      inv.refundable -= amount;
    } else if (e.t === 'apply') {
      const amount = Math.min(part(credit.get(inv.currency) ?? 0), inv.due);
      if (amount === 0) continue;
      book(customerCreditAppliedEntry({ invoiceNumber: inv.number, currency: inv.currency, amountMinor: amount }));
      credit.set(inv.currency, credit.get(inv.currency)! - amount);
      inv.due -= amount;
    } else if (e.t === 'void') {
      // Only an untouched invoice is voided (the lifecycle refuses a paid or credited one).
      if (inv.due !== inv.subtotal + inv.tax || inv.refundable !== 0 || inv.deferred !== 0) continue;
      book(
        invoiceVoidedEntry({
          number: inv.number,
          currency: inv.currency,
          subtotalMinor: inv.subtotal,
          taxMinor: inv.tax,
        }),
      );
      inv.due = 0;
      inv.closed = true;
    } else if (e.t === 'writeOff') {
      if (inv.due === 0) continue;
      book(writeOffEntry({ invoiceNumber: inv.number, currency: inv.currency, amountMinor: inv.due }));
      inv.due = 0;
      inv.closed = true;
    } else {
      const change = e.release ? -part(inv.deferred) : part(inv.subtotal - inv.deferred);
      if (change === 0) continue;
      book(
        revenueRecognizedEntry({
          documentNumber: inv.number,
          period: '2026-01',
          currency: inv.currency,
          deferMinor: change,
          explanation: 'test',
        }),
      );
      inv.deferred += change;
    }
  }
  return { invoices, entries, credit };
}

const chart = new Map(DEFAULT_CHART.map((a) => [a.code, a]));

describe('ledger over random event sequences', () => {
  it('balances every entry and the trial balance per currency, and the receivable matches the model', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const { invoices, entries, credit } = play(events);
        for (const entry of entries) {
          const net = new Map<string, number>();
          for (const l of entry.lines) net.set(l.currency, (net.get(l.currency) ?? 0) + l.debitMinor - l.creditMinor);
          for (const value of net.values()) expect(value).toBe(0);
        }
        const tb = trialBalance(
          entries.flatMap((e) => e.lines),
          chart,
        );
        expect(tb.balanced).toBe(true);
        for (const c of tb.currencyTotals) expect(c.debitMinor).toBe(c.creditMinor);
        const balance = (account: string, currency: string) =>
          tb.accounts.find((a) => a.account === account && a.currency === currency)?.balanceMinor ?? 0;
        for (const currency of CURRENCIES) {
          const mine = invoices.filter((i) => i.currency === currency);
          // The receivable is what is due less what is owed back before the refund is paid.
          const receivable = mine.reduce((s, i) => s + i.due - i.refundable, 0);
          expect(balance('accounts_receivable', currency)).toBe(receivable);
          expect(balance('customer_credit', currency)).toBe(credit.get(currency) ?? 0);
          expect(balance('deferred_revenue', currency)).toBe(mine.reduce((s, i) => s + i.deferred, 0));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('finds an entry that does not balance', () => {
    const tb = trialBalance(
      [
        { account: 'cash', currency: 'USD', debitMinor: 100, creditMinor: 0 },
        { account: 'revenue', currency: 'USD', debitMinor: 0, creditMinor: 99 },
        { account: 'cash', currency: 'JPY', debitMinor: 5, creditMinor: 0 },
        { account: 'revenue', currency: 'JPY', debitMinor: 0, creditMinor: 5 },
      ],
      chart,
    );
    expect(tb.balanced).toBe(false);
    expect(tb.currencyTotals).toEqual([
      { currency: 'JPY', debitMinor: 5, creditMinor: 5 },
      { currency: 'USD', debitMinor: 100, creditMinor: 99 },
    ]);
    expect(tb.accounts.find((a) => a.account === 'revenue' && a.currency === 'USD')?.balanceMinor).toBe(99);
  });
});
