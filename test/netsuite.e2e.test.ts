/**
 * The sandbox deal to cash with NetSuite as the org's ERP (HUB_SANDBOX_ERP=netsuite), on Node
 * against the simulators: one customer, two items, one invoice and one payment in the simulated
 * NetSuite account, amounts tying out with the hub's; a crash after NetSuite accepted each write
 * and before our commit leaves no duplicate. Verdicts come from the simulated account.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCrash } from '../src/jobs/types.js';
import { SANDBOX_NETSUITE, SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ns = (x: Harness, type: Parameters<Harness['sims']['netsuite']['count']>[1]) =>
  x.sims.netsuite.count(SANDBOX_NETSUITE.accountId, type);

const netsuiteCounts = (x: Harness) => ({
  customers: ns(x, 'customer'),
  items: ns(x, 'servicesaleitem'),
  invoices: ns(x, 'invoice'),
  payments: ns(x, 'customerpayment'),
});

async function closeDeal(x: Harness): Promise<string> {
  const { opportunityId } = x.sims.salesforce.seedClosedWonOpportunity();
  const ack = await x.deliverOutboundMessage(x.sims.salesforce.outboundMessageFor(opportunityId));
  expect(ack.status).toBe(200);
  return opportunityId;
}

describe('deal to cash with NetSuite as the ERP', () => {
  it('posts customer, items, invoice and payment once to NetSuite; nothing goes to QuickBooks', async () => {
    h = await startHarness({ erp: 'netsuite' });
    const opportunityId = await closeDeal(h);
    await h.settle();

    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    const [invoice] = trace.invoices;
    expect(invoice.status).toBe('paid');
    expect(netsuiteCounts(h)).toEqual({ customers: 1, items: 2, invoices: 1, payments: 1 });
    expect(h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(0);

    // The invoice NetSuite holds is ours: our number, our total (tax on the tax item), paid in full.
    const account = h.sims.netsuite.state.accounts.get(SANDBOX_NETSUITE.accountId)!;
    const stored = [...account.records.invoice.values()][0]!;
    expect(stored.tranId).toBe(invoice.number);
    expect(Math.round((stored.total as number) * 100)).toBe(invoice.total_minor);
    expect([stored.amountRemaining, stored.status]).toEqual([0, 'Paid In Full']);
    expect(trace.jobs.every((j: { state: string }) => j.state === 'succeeded')).toBe(true);
  });

  it.each([
    ['post-invoice-to-erp', 'erp-customer'],
    ['post-invoice-to-erp', 'erp-items'],
    ['post-invoice-to-erp', 'erp-invoice'],
    ['post-payment-to-erp', 'erp-payment'],
  ] as const)(
    'crash after NetSuite accepted %s › %s, before our commit: no duplicate after restart',
    async (flow, step) => {
      let crashed = false;
      h = await startHarness({
        erp: 'netsuite',
        hooks: {
          afterExternalWrite: (f, s) => {
            if (!crashed && f === flow && s === step) {
              crashed = true;
              throw new SimulatedCrash(`after ${f} › ${s}`);
            }
          },
        },
      });
      await closeDeal(h);
      await expect(h.settle()).rejects.toThrow(/simulated crash/);
      expect(crashed).toBe(true);
      await h.restart();
      h.clock.advance(6 * 60_000);
      await h.settle();
      expect(netsuiteCounts(h)).toEqual({ customers: 1, items: 2, invoices: 1, payments: 1 });
    },
  );
});
