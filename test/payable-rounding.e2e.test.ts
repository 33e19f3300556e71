/**
 * Cash rounding and Stripe's currency rules on Node against the simulators: a contract made with
 * POST /api/v1/contracts, billed by a run, finalized (tax at the AvaTax simulator), collected at
 * the Stripe simulator and posted to the QuickBooks simulator. The rounded grand total is the same
 * at every stop, and the difference is a visible field, an ERP line and a ledger line:
 * - CHF to 0.05 (rounding.cashIncrement "0.05"): 10.37 + 8.875 % tax = 11.29 → 11.30.
 * - KWD at Stripe (rounding.providerAmounts "round_to_provider"): the last fils digit must be 0
 *   (https://docs.stripe.com/currencies: "5.124 KWD must be rounded to 5120 or 5130"); without
 *   the option the simulated Stripe refuses the exact amount, as Stripe does.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { customers, ledgerLines } from '../src/db/schema.js';
import { type Harness, readJson, startHarness } from './support/harness.js';
import * as fixtures from './support/rounding-fixtures.js';
import { CHF_CASH, json, TO_PROVIDER } from './support/rounding-fixtures.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const billMarch = (currency: string, unitAmount: string, rounding?: Record<string, unknown>) =>
  fixtures.billMarch(h, currency, unitAmount, rounding);
const customerIn = (currency: string) => fixtures.customerIn(h, currency);
const terms = fixtures.monthlyTerms;

function erpInvoice(number: string) {
  const realm = [...h.sims.quickbooks.state.realms.values()][0] as unknown as {
    entities: { Invoice: Map<string, { DocNumber: string; TotalAmt: number; Line: { Amount: number }[] }> };
  };
  return [...realm.entities.Invoice.values()].find((i) => i.DocNumber === number)!;
}

/** Every ledger line of the org: each test bills one invoice, so these are its entries and its payment's. */
const ledger = () => h.db.select().from(ledgerLines);

describe('the rounded grand total ties out: invoice, tax, Stripe, QuickBooks, ledger', () => {
  it('CHF cash rounding to 0.05: 10.37 + 0.92 tax = 11.29, charged and posted as 11.30 with a 0.01 rounding line', async () => {
    const invoice = await billMarch('CHF', '10.37', { mode: 'half_up', level: 'line', cashIncrement: '0.05' });
    expect(invoice).toMatchObject({ subtotal_minor: 1037, tax_minor: 92, rounding_minor: 1, total_minor: 1130 });
    expect(invoice.status).toBe('paid');
    const intents = [...h.sims.stripe.state.paymentIntents.values()].filter((p) => p.currency === 'chf');
    expect(intents.map((p) => p.amount)).toEqual([1130]);
    const erp = erpInvoice(invoice.number);
    expect(erp.TotalAmt).toBe(11.3);
    expect(erp.Line.filter((l) => 'Amount' in l).map((l) => l.Amount)).toContain(0.01);
    const lines = await ledger();
    const rounding = lines.filter((l) => l.account === 'rounding_difference');
    expect(rounding.map((l) => [l.debitMinor, l.creditMinor])).toEqual([[0, 1]]);
    const receivable = lines.filter((l) => l.account === 'accounts_receivable' && l.currency === 'CHF');
    // Issued 11.30, paid 11.30: the receivable is cleared exactly.
    expect(receivable.reduce((n, l) => n + l.debitMinor - l.creditMinor, 0)).toBe(0);
  });

  it('KWD at Stripe with round_to_provider: 4.713 + 0.418 tax = 5.131 exact, charged and posted as 5.130', async () => {
    const invoice = await billMarch('KWD', '4.713', {
      mode: 'half_up',
      level: 'line',
      providerAmounts: 'round_to_provider',
    });
    // 4.713 × 8.875 % = 0.418279 → 0.418 tax; 5.131 exact, charged 5.130 at Stripe.
    expect(invoice).toMatchObject({ subtotal_minor: 4713, tax_minor: 418, rounding_minor: -1, total_minor: 5130 });
    expect(invoice.status).toBe('paid');
    const intents = [...h.sims.stripe.state.paymentIntents.values()].filter((p) => p.currency === 'kwd');
    expect(intents.map((p) => p.amount)).toEqual([5130]);
    expect(erpInvoice(invoice.number).TotalAmt).toBe(5.13);
    const rounding = (await ledger()).filter((l) => l.account === 'rounding_difference');
    expect(rounding.map((l) => [l.debitMinor, l.creditMinor])).toEqual([[1, 0]]);
  });

  it('KWD without the option: the exact 5.131 is refused by Stripe, as Stripe refuses it; nothing is charged', async () => {
    const invoice = await billMarch('KWD', '4.713');
    expect(invoice).toMatchObject({ rounding_minor: 0, total_minor: 5131 });
    expect(invoice.status).not.toBe('paid');
    const intents = [...h.sims.stripe.state.paymentIntents.values()].filter((p) => p.currency === 'kwd');
    expect(intents).toHaveLength(0);
    // Other stops still take the exact amount.
    expect(erpInvoice(invoice.number).TotalAmt).toBe(5.131);
  });

  it("the pricing preview's payable block equals the invoice: KWD 4.713 + 0.418 tax at Stripe is 5.130, CHF 11.29 is 11.30", async () => {
    const preview = async (currency: string, unit: string, rounding: Record<string, unknown>, taxMinor: number) => {
      const res = await h.api(
        '/api/v1/pricing/preview',
        json('POST', {
          price: { model: 'per_unit', unit_amount: unit },
          usage: { quantity: '1', currency },
          options: { rounding },
          tax_minor: taxMinor,
        }),
      );
      expect(res.status).toBe(200);
      return (await readJson(res)).payable;
    };
    const invoice = await billMarch('KWD', '4.713', TO_PROVIDER);
    const kwd = await preview('KWD', '4.713', TO_PROVIDER, invoice.tax_minor);
    expect(kwd).toMatchObject({
      exact_minor: 5131,
      amount_minor: invoice.total_minor,
      rounding_minor: invoice.rounding_minor,
      step_minor: 10,
      rules: ['provider'],
      provider: 'stripe',
    });
    expect(kwd.why).toMatch(/multiple of 10.*stripe in KWD/);
    expect(await preview('CHF', '10.37', CHF_CASH, 92)).toMatchObject({
      exact_minor: 1129,
      amount_minor: 1130,
      rounding_minor: 1,
      step_minor: 5,
      rules: ['cash'],
      provider: null,
    });
    // The exact policy: no rounding, and the block says so.
    expect(await preview('KWD', '4.713', { mode: 'half_up', level: 'line' }, 418)).toMatchObject({
      amount_minor: 5131,
      rounding_minor: 0,
      why: 'no rounding',
    });
    const bad = await h.api(
      '/api/v1/pricing/preview',
      json('POST', {
        price: { model: 'per_unit', unit_amount: '1' },
        usage: { quantity: '1', currency: 'CHF' },
        options: { rounding: { mode: 'half_up', level: 'line', cashIncrement: '0.005' } },
      }),
    );
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).errors).toEqual([
      expect.objectContaining({ field: 'options.rounding.cashIncrement' }),
    ]);
  });

  it('refuses a cash increment that is not a whole number of minor units, naming the field', async () => {
    const customerId = await customerIn('CHF');
    const res = await h.api(
      '/api/v1/contracts',
      json('POST', {
        customer_id: customerId,
        status: 'active',
        terms: terms('CHF', '10', { mode: 'half_up', level: 'line', cashIncrement: '0.005' }),
      }),
    );
    expect(res.status).toBe(400);
    expect((await readJson(res)).errors).toEqual([expect.objectContaining({ field: 'terms.rounding.cashIncrement' })]);
    expect(await h.db.select().from(customers).where(eq(customers.id, customerId))).toHaveLength(1);
  });
});
