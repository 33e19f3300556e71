/**
 * The ErpPort contract: every ERP adapter runs it against its vendor's simulator.
 * A new vendor adds `adapters/<vendor>/contract.test.ts` calling
 * `runErpPortContract('<vendor>', async () => ({ port, count, incomeAccountId, ...faultHooks, close }))`:
 * the factory starts a fresh simulator on loopback, builds the adapter against it with an
 * injected clock, and exposes the simulator's state so verdicts come from the vendor's side.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErpPort, ExternalObject } from '../ports.js';
import {
  expectPermanent,
  expectRateLimited,
  expectServerError,
  expectUnauthorized,
  type FaultHooks,
  failureOf,
  unwrap,
} from './failures.contract.js';

export type ErpObject = 'customer' | 'item' | 'invoice' | 'payment' | 'credit_memo';

export interface ErpContractSetup extends FaultHooks {
  port: ErpPort;
  /** How many objects of a kind the simulated vendor holds. */
  count(object: ErpObject): number;
  /** Whether the simulated ERP holds this invoice as voided. */
  isVoided(invoiceExternalId: string): boolean;
  /** An income account the simulated ERP knows. */
  incomeAccountId: string;
  /**
   * Refund and journal cases: they run when the port has the optional members (createRefund,
   * postJournalEntry) and the setup gives this.
   */
  books?: {
    count(object: 'refund' | 'journal_entry'): number;
    /** ERP account ids the simulated vendor knows: a receivable, an income and a bank account. */
    accounts: { receivable: string; revenue: string; bank: string };
    /** An account id the simulated vendor does not know. */
    unknownAccountId: string;
    /** The vendor's home currency, and another it accepts with a rate. */
    homeCurrency: string;
    foreignCurrency: string;
  };
  close(): Promise<void>;
}

export function runErpPortContract(name: string, setup: () => Promise<ErpContractSetup>): void {
  describe(`ErpPort contract: ${name}`, () => {
    let s: ErpContractSetup;
    beforeEach(async () => {
      s = await setup();
    });
    afterEach(() => s.close());

    const customer = (localId = 'c1') => ({
      localId,
      displayName: `Acme ${localId}`,
      email: 'ap@acme.example',
      currency: 'USD',
    });
    const item = () => ({ sku: 'SKU-PLAT', name: 'Platform', incomeAccountId: s.incomeAccountId });
    const invoice = (c: ExternalObject, i: ExternalObject, number = 'INV-0001') => ({
      invoiceNumber: number,
      customerExternalId: c.externalId,
      currency: 'USD',
      issueDate: '2026-11-23',
      dueDate: '2026-12-23',
      lines: [
        { itemExternalId: i.externalId, description: 'Seats', quantity: '3', unitPrice: '400.10', amount: '1200.30' },
      ],
      totalTax: '97.51',
      total: '1297.81',
    });
    const memo = (c: ExternalObject, i: ExternalObject) => ({
      creditNoteNumber: 'INV-0002',
      invoiceNumber: 'INV-0001',
      customerExternalId: c.externalId,
      currency: 'USD',
      issueDate: '2026-11-25',
      lines: [
        { itemExternalId: i.externalId, description: 'Seats', quantity: '1', unitPrice: '400.10', amount: '400.10' },
      ],
      totalTax: '32.50',
      total: '432.60',
    });
    async function seed() {
      const c = unwrap(await s.port.createCustomer(customer(), { idempotencyKey: 'cust-c1' }));
      const i = unwrap(await s.port.createItem(item(), { idempotencyKey: 'item-plat' }));
      return { c, i };
    }

    describe('create and find by our key', () => {
      it('customer: found by display name; an unknown name is null', async () => {
        const created = unwrap(await s.port.createCustomer(customer(), { idempotencyKey: 'cust-c1' }));
        expect(unwrap(await s.port.findCustomer('Acme c1'))?.externalId).toBe(created.externalId);
        expect(unwrap(await s.port.findCustomer('Nobody Ltd'))).toBeNull();
      });

      it('item: found by SKU', async () => {
        const created = unwrap(await s.port.createItem(item(), { idempotencyKey: 'item-plat' }));
        expect(unwrap(await s.port.findItem('SKU-PLAT'))?.externalId).toBe(created.externalId);
        expect(unwrap(await s.port.findItem('SKU-NONE'))).toBeNull();
      });

      it('invoice and payment: found by invoice number and payment reference', async () => {
        const { c, i } = await seed();
        const inv = unwrap(await s.port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
        expect(unwrap(await s.port.findInvoice('INV-0001'))?.externalId).toBe(inv.externalId);
        const payment = {
          paymentRef: 'PAY-1',
          customerExternalId: c.externalId,
          invoiceExternalId: inv.externalId,
          amount: '1297.81',
          currency: 'USD',
          date: '2026-11-30',
        };
        const pay = unwrap(await s.port.createPayment(payment, { idempotencyKey: 'pay-1' }));
        expect(unwrap(await s.port.findPayment('PAY-1'))?.externalId).toBe(pay.externalId);
        expect(unwrap(await s.port.findPayment('PAY-NONE'))).toBeNull();
      });
    });

    describe('credit memos and voids', () => {
      it('a credit memo is found by its number; the same key twice → one memo', async () => {
        const { c, i } = await seed();
        const first = unwrap(await s.port.createCreditMemo(memo(c, i), { idempotencyKey: 'cm-1' }));
        const again = unwrap(await s.port.createCreditMemo(memo(c, i), { idempotencyKey: 'cm-1' }));
        expect(again.externalId).toBe(first.externalId);
        expect(s.count('credit_memo')).toBe(1);
        expect(unwrap(await s.port.findCreditMemo('INV-0002'))?.externalId).toBe(first.externalId);
        expect(unwrap(await s.port.findCreditMemo('INV-NONE'))).toBeNull();
      });

      it('voids an unpaid invoice; voiding it again changes nothing', async () => {
        const { c, i } = await seed();
        const inv = unwrap(await s.port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
        expect(s.isVoided(inv.externalId)).toBe(false);
        expect(unwrap(await s.port.voidInvoice(inv.externalId, { idempotencyKey: 'void-1' })).externalId).toBe(
          inv.externalId,
        );
        expect(s.isVoided(inv.externalId)).toBe(true);
        unwrap(await s.port.voidInvoice(inv.externalId, { idempotencyKey: 'void-1' }));
        expect(s.count('invoice')).toBe(1);
      });
    });

    describe('refunds and journal entries (when the port has them)', () => {
      // Longer than QuickBooks' 21-character DocNumber, as our ledger entry ids are.
      const ENTRY_REF = 'jnl_contract_0123456789abcdefgh';
      const REFUND_REF = 'rfd_contract_0123456789abcdefgh';
      const journal = (c: ExternalObject, over: Record<string, unknown> = {}) => {
        const a = s.books!.accounts;
        return {
          entryRef: ENTRY_REF,
          date: '2026-11-23',
          currency: s.books!.homeCurrency,
          memo: 'Invoice INV-0001 issued',
          lines: [
            {
              accountExternalId: a.receivable,
              side: 'debit' as const,
              amount: '1297.81',
              description: 'Receivable',
              customerExternalId: c.externalId,
            },
            { accountExternalId: a.revenue, side: 'credit' as const, amount: '1297.81', description: 'Revenue' },
          ],
          ...over,
        };
      };

      it('a refund is found by our reference; the same key twice → one refund', async (t) => {
        if (!s.books || !s.port.createRefund || !s.port.findRefund) return t.skip();
        // A paid invoice credited in full, the credit paid back in cash (Xero pays it out of the note).
        const { c, i } = await seed();
        const inv = unwrap(await s.port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
        const paid = { paymentRef: 'PAY-1', customerExternalId: c.externalId, invoiceExternalId: inv.externalId };
        unwrap(
          await s.port.createPayment(
            { ...paid, amount: '1297.81', currency: 'USD', date: '2026-11-24' },
            { idempotencyKey: 'pay-1' },
          ),
        );
        const note = unwrap(await s.port.createCreditMemo(memo(c, i), { idempotencyKey: 'cm-1' }));
        const refund = {
          refundRef: REFUND_REF,
          customerExternalId: c.externalId,
          creditMemoExternalId: note.externalId,
          amount: '432.60',
          currency: 'USD',
          date: '2026-11-26',
          depositAccountId: s.books.accounts.bank,
        };
        const first = unwrap(await s.port.createRefund(refund, { idempotencyKey: 'rf-1' }));
        const again = unwrap(await s.port.createRefund(refund, { idempotencyKey: 'rf-1' }));
        expect(again.externalId).toBe(first.externalId);
        expect(s.books.count('refund')).toBe(1);
        expect(unwrap(await s.port.findRefund(REFUND_REF))?.externalId).toBe(first.externalId);
        expect(unwrap(await s.port.findRefund('rfd_none'))).toBeNull();
      });

      it('a balanced journal is posted once, found by our entry reference', async (t) => {
        if (!s.books || !s.port.postJournalEntry || !s.port.findJournalEntry) return t.skip();
        const { c } = await seed();
        const first = unwrap(await s.port.postJournalEntry(journal(c), { idempotencyKey: 'je-1' }));
        const again = unwrap(await s.port.postJournalEntry(journal(c), { idempotencyKey: 'je-1' }));
        expect(again.externalId).toBe(first.externalId);
        expect(s.books.count('journal_entry')).toBe(1);
        expect(unwrap(await s.port.findJournalEntry(ENTRY_REF))?.externalId).toBe(first.externalId);
        expect(unwrap(await s.port.findJournalEntry('jnl_none'))).toBeNull();
      });

      it('an unbalanced journal is refused before any call', async (t) => {
        if (!s.books || !s.port.postJournalEntry || !s.port.findJournalEntry) return t.skip();
        const { c } = await seed();
        const base = journal(c);
        const lines = [base.lines[0]!, { ...base.lines[1]!, amount: '1297.80' }];
        // A call would meet the planned 500 and come back retryable; a refusal before it is permanent.
        s.inject({ kind: 'status', status: 500 });
        expectPermanent(await s.port.postJournalEntry({ ...base, lines }, { idempotencyKey: 'je-2' }));
        expectServerError(await s.port.findJournalEntry(ENTRY_REF), false);
        expect(s.books.count('journal_entry')).toBe(0);
      });

      it('a journal line on an account the ERP does not know is permanent; nothing is written', async (t) => {
        if (!s.books || !s.port.postJournalEntry) return t.skip();
        const { c } = await seed();
        const base = journal(c);
        const ghost = { ...base.lines[1]!, accountExternalId: s.books.unknownAccountId };
        expectPermanent(
          await s.port.postJournalEntry({ ...base, lines: [base.lines[0]!, ghost] }, { idempotencyKey: 'je-3' }),
        );
        expect(s.books.count('journal_entry')).toBe(0);
      });

      it('a journal in a foreign currency needs the rate to the home currency', async (t) => {
        if (!s.books || !s.port.postJournalEntry) return t.skip();
        const { c } = await seed();
        const currency = s.books.foreignCurrency;
        expectPermanent(await s.port.postJournalEntry(journal(c, { currency }), { idempotencyKey: 'je-4' }));
        unwrap(
          await s.port.postJournalEntry(journal(c, { currency, exchangeRate: '1.0825' }), { idempotencyKey: 'je-5' }),
        );
        expect(s.books.count('journal_entry')).toBe(1);
      });
    });

    // Only for adapters that have the optional member (reconciliation reads through it).
    describe("readDocument: the ERP's copy by our reference", () => {
      it('invoice open then paid, payment applied, credit memo, voided invoice; unknown → null', async (ctx) => {
        const read = s.port.readDocument?.bind(s.port);
        if (!read) return ctx.skip();
        const { c, i } = await seed();
        const inv = unwrap(await s.port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
        const open = unwrap(await read('invoice', 'INV-0001'));
        expect(open).toMatchObject({ externalId: inv.externalId, kind: 'invoice', currency: 'USD', status: 'open' });
        expect(Number(open?.total)).toBe(1297.81);
        expect(unwrap(await read('invoice', 'INV-NONE'))).toBeNull();

        const payment = {
          paymentRef: 'PAY-1',
          customerExternalId: c.externalId,
          invoiceExternalId: inv.externalId,
          amount: '1297.81',
          currency: 'USD',
          date: '2026-11-30',
        };
        unwrap(await s.port.createPayment(payment, { idempotencyKey: 'pay-1' }));
        expect(unwrap(await read('invoice', 'INV-0001'))?.status).toBe('paid');
        const pay = unwrap(await read('payment', 'PAY-1'));
        expect(pay).toMatchObject({ kind: 'payment', currency: 'USD', status: 'applied' });
        expect(Number(pay?.total)).toBe(1297.81);
        expect(unwrap(await read('payment', 'PAY-NONE'))).toBeNull();

        const other = unwrap(await s.port.createInvoice(invoice(c, i, 'INV-0003'), { idempotencyKey: 'inv-3' }));
        unwrap(await s.port.voidInvoice(other.externalId, { idempotencyKey: 'void-3' }));
        expect(unwrap(await read('invoice', 'INV-0003'))?.status).toBe('voided');

        const memo = {
          creditNoteNumber: 'INV-0002',
          invoiceNumber: 'INV-0001',
          customerExternalId: c.externalId,
          currency: 'USD',
          issueDate: '2026-11-25',
          lines: invoice(c, i).lines,
          totalTax: '97.51',
          total: '1297.81',
        };
        unwrap(await s.port.createCreditMemo(memo, { idempotencyKey: 'cm-1' }));
        const cm = unwrap(await read('credit_memo', 'INV-0002'));
        expect(cm).toMatchObject({ kind: 'credit_memo', currency: 'USD' });
        expect(cm?.status === 'open' || cm?.status === 'applied').toBe(true);
        expect(Number(cm?.total)).toBe(1297.81);
      });
    });

    describe('idempotent retry', () => {
      it('the same key twice → one object at the vendor, same id', async () => {
        const { c, i } = await seed();
        const first = unwrap(await s.port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
        const again = unwrap(await s.port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
        expect(again.externalId).toBe(first.externalId);
        expect(s.count('invoice')).toBe(1);
        unwrap(await s.port.createCustomer(customer(), { idempotencyKey: 'cust-c1' }));
        expect(s.count('customer')).toBe(1);
      });

      it('a dropped connection after the write is indeterminate; lookup reconciles, retry adds nothing', async () => {
        const { c, i } = await seed();
        s.inject({ kind: 'timeout' });
        const lost = await s.port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' });
        expect(failureOf(lost).kind).toBe('indeterminate');
        const found = unwrap(await s.port.findInvoice('INV-0001'));
        expect(found).not.toBeNull();
        const retried = unwrap(await s.port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
        expect(retried.externalId).toBe(found?.externalId);
        expect(s.count('invoice')).toBe(1);
      });
    });

    describe('error classes', () => {
      it('429 with Retry-After is retryable with the wait; nothing is written', async () => {
        s.inject({ kind: 'status', status: 429, retryAfterSeconds: 7 });
        expectRateLimited(await s.port.createCustomer(customer(), { idempotencyKey: 'cust-c1' }), 7);
        expect(s.count('customer')).toBe(0);
      });

      it('500 is never permanent; the retry with the same key creates one object', async () => {
        s.inject({ kind: 'status', status: 500 });
        expectServerError(await s.port.createItem(item(), { idempotencyKey: 'item-plat' }), true);
        unwrap(await s.port.createItem(item(), { idempotencyKey: 'item-plat' }));
        expect(s.count('item')).toBe(1);
        s.inject({ kind: 'status', status: 503 });
        expectServerError(await s.port.findItem('SKU-PLAT'), false);
      });

      it('a validation error (unknown customer reference) is permanent', async () => {
        const { i } = await seed();
        const ghost = { externalId: '999999' };
        expectPermanent(await s.port.createInvoice(invoice(ghost, i), { idempotencyKey: 'inv-ghost' }));
        expect(s.count('invoice')).toBe(0);
      });

      it('rejected credentials are reported as the port promises', async () => {
        s.revokeCredentials();
        expectUnauthorized(await s.port.findCustomer('Acme c1'), s.unauthorized, s.port.vendor);
      });
    });
  });
}
