/**
 * Issue #13 under workerd (D1, Queues, Cron): the demo deal's invoice and payment reach Xero and
 * NetSuite exactly once each, the way test/workerd.e2e.test.ts carries it to QuickBooks. Both
 * adapters are fetch-only (no Node http), so this is what proves they run on Workers. Waiting is a
 * bounded loop of polls; no sleep decides an assertion.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_NETSUITE, SANDBOX_QBO, SANDBOX_XERO } from '../src/runtime/simulators.js';
import { startWorkerdSandbox, type Trace, type WorkerdSandbox } from './support/workerd-sandbox.js';

let w: WorkerdSandbox | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const settled = (t: Trace) =>
  t.jobs.some((j) => j.state === 'dead') ||
  (t.jobs.some((j) => j.dedupe_key.startsWith('post-payment-to-erp')) && t.jobs.every((j) => j.state === 'succeeded'));

async function carryDemoDeal(sandbox: WorkerdSandbox): Promise<Trace> {
  const opportunityId = await sandbox.closeSalesforceDeal();
  const trace = await sandbox.pollTrace('salesforce', opportunityId, settled, { sweep: true });
  expect(trace.jobs.filter((j) => j.state !== 'succeeded')).toEqual([]);
  expect(trace.invoices.map((i) => i.status)).toEqual(['paid']);
  return trace;
}

describe('the other ERPs on workerd', () => {
  it('posts the demo invoice and its payment to Xero once each', async () => {
    w = await startWorkerdSandbox({ name: 'Acme (workerd, Xero)', erp: 'xero' });
    const sims = w.sims;
    const [invoice] = (await carryDemoDeal(w)).invoices;
    const invoices = sims.xero.all(SANDBOX_XERO.tenantId, 'Invoices');
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ InvoiceNumber: invoice!.number, Type: 'ACCREC' });
    expect(sims.xero.all(SANDBOX_XERO.tenantId, 'Payments')).toHaveLength(1);
    expect(sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(0);
  }, 180_000);

  it('posts the demo invoice and its payment to NetSuite once each', async () => {
    w = await startWorkerdSandbox({ name: 'Acme (workerd, NetSuite)', erp: 'netsuite' });
    await carryDemoDeal(w);
    expect(w.sims.netsuite.count(SANDBOX_NETSUITE.accountId, 'invoice')).toBe(1);
    expect(w.sims.netsuite.count(SANDBOX_NETSUITE.accountId, 'customerpayment')).toBe(1);
  }, 180_000);
});
