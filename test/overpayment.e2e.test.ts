/**
 * Issue #10: a payment for more than what is due is customer credit, not an error. The customer's
 * Stripe attempt was open for the whole invoice when a credit note lowered what is due (or settled
 * it); the customer then pays the attempt in full. The excess goes to the customer's credit with
 * its ledger line, once, however often the webhook comes. Judged by the API, the ledger and the
 * customer's credit balance.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { customerCreditBalance } from '../src/db/repos/customer-credit.js';
import { customerCreditEntries, jobs, ledgerEntries, ledgerLines } from '../src/db/schema.js';
import { configureConnection, type Harness, readJson, startHarness } from './support/harness.js';
import { billMarch, json } from './support/rounding-fixtures.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  // Stripe confirms no payment method: the attempt stays open for the customer to pay.
  await configureConnection(h, 'stripe', 'testPaymentMethod', '');
});
afterEach(async () => {
  await h.close();
});

const detail = async (id: string) => readJson(await h.api(`/api/v1/invoices/${id}`));

/** The customer pays the open attempt (its original amount) at Stripe; the webhook is delivered. */
async function customerPaysOpenAttempt() {
  const [intent] = [...h.sims.stripe.state.paymentIntents.values()];
  expect(intent!.status).toBe('requires_payment_method');
  const res = await h.sims.stripe.app.request(`/v1/payment_intents/${intent!.id}/confirm`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer sk_test_customer_pays',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'payment_method=pm_card_visa',
  });
  expect(res.status).toBe(200);
  await h.settle();
  return intent!.amount;
}

async function net(account: string) {
  const lines = await h.db.select().from(ledgerLines).where(eq(ledgerLines.orgId, h.orgId));
  return lines.filter((l) => l.account === account).reduce((n, l) => n + l.debitMinor - l.creditMinor, 0);
}

describe('overpayment after a credit note lowered what is due', () => {
  it('a partial credit: the invoice is paid, the excess is customer credit with a ledger line', async () => {
    const invoice = await billMarch(h, 'USD', '100.00');
    expect(invoice).toMatchObject({ status: 'finalized', total_minor: 10_888 });
    const made = await h.api(
      `/api/v1/invoices/${invoice.id}/credit-notes`,
      json('POST', { reason: 'order_change', lines: [{ line_no: 1, amount_minor: 2000 }] }),
    );
    expect(made.status).toBe(202);
    const note = await readJson(made);
    await h.settle();
    const due = (await detail(invoice.id)).amount_due_minor;
    expect(due).toBe(10_888 - note.total_minor);

    const charged = await customerPaysOpenAttempt();
    expect(charged).toBe(10_888);
    const after = await detail(invoice.id);
    expect(after).toMatchObject({ status: 'paid', amount_due_minor: 0, amount_paid_minor: due });
    const excess = charged - due;
    expect(await customerCreditBalance(h.db, h.orgId, invoice.customer_id, 'USD')).toBe(excess);
    const entries = await h.db.select().from(customerCreditEntries);
    expect(entries.map((e) => [e.amountMinor, e.paymentId === after.payments[0].id])).toEqual([[excess, true]]);
    // The receivable is cleared exactly; what we owe the customer is on customer_credit.
    expect(await net('accounts_receivable')).toBe(0);
    expect(await net('customer_credit')).toBe(-excess);
    const [payment] = await h.db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, 'payment_received'));
    expect(payment!.memo).toMatch(/kept as customer credit/);
    // Nothing failed on the way.
    expect((await h.db.select().from(jobs)).filter((j) => j.state === 'dead')).toEqual([]);

    // Stripe delivers the same event again: it changes nothing (the inbox dedupes it, and the credit
    // entry is keyed by the payment).
    const event = h.sims.stripe.state.events.find((e) => e.type === 'payment_intent.succeeded');
    expect(event).toBeDefined();
    const body = JSON.stringify(event, null, 2);
    const again = await h.hub.app.request(`/webhooks/stripe/${h.stripeConnectionId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': await h.sims.stripe.signPayload(body) },
      body,
    });
    expect(again.status).toBe(200);
    await h.settle();
    expect(await h.db.select().from(customerCreditEntries)).toHaveLength(1);
    expect(await customerCreditBalance(h.db, h.orgId, invoice.customer_id, 'USD')).toBe(excess);
  });

  it('a whole credit already settled the invoice: the whole late payment becomes customer credit', async () => {
    const invoice = await billMarch(h, 'USD', '100.00');
    const [intent] = [...h.sims.stripe.state.paymentIntents.values()];
    const made = await h.api(`/api/v1/invoices/${invoice.id}/credit-notes`, json('POST', { reason: 'duplicate' }));
    expect(made.status).toBe(202);
    await h.settle();
    expect(await detail(invoice.id)).toMatchObject({ status: 'paid', amount_due_minor: 0, amount_paid_minor: 0 });
    // The credit note cancelled the open attempt. Race: the customer's payment got in first at
    // Stripe and its webhook arrives after the note settled the invoice; reopened here to play it.
    expect(intent!.status).toBe('canceled');
    intent!.status = 'requires_payment_method';
    const charged = await customerPaysOpenAttempt();
    expect(await detail(invoice.id)).toMatchObject({ status: 'paid', amount_paid_minor: 0 });
    expect(await customerCreditBalance(h.db, h.orgId, invoice.customer_id, 'USD')).toBe(charged);
    expect(await net('accounts_receivable')).toBe(0);
    expect(await net('customer_credit')).toBe(-charged);
    expect((await h.db.select().from(jobs)).filter((j) => j.state === 'dead')).toEqual([]);
  });
});
