/**
 * Coupons carried over and wallets, on Node against the simulators: a contract with a 150.00
 * coupon and a wallet (10 credits per USD) made with POST /api/v1/contracts, billed month by
 * month. Each balance is spent once across the invoices the runs write, and the invoice preview
 * shows what the next invoice takes from what is left (never what was already spent).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/db/client.js';
import { customers } from '../src/db/schema.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const terms = {
  currency: 'USD',
  startDate: '2026-03-01',
  endDate: null,
  alignment: 'calendar',
  paymentTermsDays: 30,
  renewal: { policy: 'none' },
  coupons: [{ id: 'welcome', amount: '150.00' }],
  wallets: [{ id: 'main', rate: '10', topUps: [{ credits: '600', on: '2026-03-01' }] }],
  phases: [
    {
      name: 'main',
      kind: 'standard',
      start: '2026-03-01',
      end: null,
      items: [
        {
          id: 'plan',
          sku: 'PLAN',
          description: 'Plan',
          prices: [{ effectiveFrom: '2026-03-01', price: { model: 'flat_fee', amount: '100.00' } }],
          quantity: '1',
          cadence: 'monthly',
          timing: 'in_advance',
        },
      ],
    },
  ],
};

type Line = { line_kind: string; source_ref: string | null; amount_minor: number };
type PreviewLine = { lineKind: string; sourceRef: string | null; amountMinor: number };

describe('balances spent once across billing runs and previews', () => {
  it('150.00 coupon then a 60.00 wallet against 100.00 a month: March 100 off, April 50 + 50, May 10 from the wallet', async () => {
    const customerId = newId('cus');
    await h.db.insert(customers).values({
      id: customerId,
      orgId: h.orgId,
      name: 'Balance Co',
      email: 'ap@example.com',
      currency: 'USD',
      address: JSON.stringify({
        line1: '1 Main St',
        city: 'Portland',
        region: 'OR',
        postalCode: '97201',
        country: 'US',
      }),
      sourceSystem: 'api',
      sourceId: customerId,
      createdAt: h.clock.now().toISOString(),
    });
    const made = await h.api('/api/v1/contracts', json('POST', { customer_id: customerId, status: 'active', terms }));
    expect(made.status).toBe(201);
    const contract = await readJson(made);
    expect((await h.api('/api/v1/billing-settings', json('PUT', { grace_seconds: 0 }))).status).toBe(200);

    const drawsOf = (lines: Line[]) =>
      lines.filter((l) => l.source_ref?.includes(':')).map((l) => [l.source_ref, l.amount_minor]);
    const invoiceFor = async (start: string) => {
      const list = await readJson(await h.api(`/api/v1/invoices?contract_id=${contract.id}&period=${start}`));
      expect(list.data).toHaveLength(1);
      return readJson(await h.api(`/api/v1/invoices/${list.data[0].id}`));
    };

    expect((await h.api('/api/v1/billing-runs', json('POST', { at: '2026-03-01' }))).status).toBe(202);
    await h.settle();
    const march = await invoiceFor('2026-03-01');
    expect(drawsOf(march.lines)).toEqual([['coupon:welcome', -10_000]]);
    // The wallet is the customer's unspent credit (60.00); the coupon is a discount, not credit.
    const creditOf = async () => (await readJson(await h.api(`/api/v1/customers/${customerId}`))).credit_minor;
    expect(await creditOf()).toBe(6000);

    // The preview of April draws on what March left: 50.00 of the coupon, then 50.00 of the wallet.
    const preview = await readJson(await h.api(`/api/v1/contracts/${contract.id}/invoice-preview?at=2026-04-10`));
    const april = preview.invoices.find((i: { periodStart: string }) => i.periodStart === '2026-04-01');
    expect(
      april.lines
        .filter((l: PreviewLine) => l.sourceRef?.includes(':'))
        .map((l: PreviewLine) => [l.sourceRef, l.amountMinor]),
    ).toEqual([
      ['coupon:welcome', -5000],
      ['wallet:main:0', -5000],
    ]);

    const run = await readJson(await h.api('/api/v1/billing-runs', json('POST', { at: '2026-04-01' })));
    await h.settle();
    console.log(JSON.stringify(await readJson(await h.api(`/api/v1/billing-runs/${run.id}`))));
    console.log(
      JSON.stringify(
        (await readJson(await h.api(`/api/v1/invoices`))).data.map((i: { period_start: string }) => i.period_start),
      ),
    );
    expect(drawsOf((await invoiceFor('2026-04-01')).lines)).toEqual([
      ['coupon:welcome', -5000],
      ['wallet:main:0', -5000],
    ]);

    // A second run for the same dates writes nothing and spends nothing again.
    expect((await h.api('/api/v1/billing-runs', json('POST', { at: '2026-04-01' }))).status).toBe(202);
    await h.settle();

    expect((await h.api('/api/v1/billing-runs', json('POST', { at: '2026-05-01' }))).status).toBe(202);
    await h.settle();
    const may = await invoiceFor('2026-05-01');
    expect(drawsOf(may.lines)).toEqual([['wallet:main:0', -1000]]);
    expect(may.subtotal_minor).toBe(9000);
    expect(await creditOf()).toBe(0);

    const june = await readJson(await h.api(`/api/v1/contracts/${contract.id}/invoice-preview?at=2026-06-10`));
    const junePreview = june.invoices.find((i: { periodStart: string }) => i.periodStart === '2026-06-01');
    expect(junePreview.lines.some((l: PreviewLine) => l.sourceRef?.includes(':'))).toBe(false);
    expect(junePreview.totalMinor).toBe(10_000);
  });
});
