/**
 * Consolidation on Node against the simulators (issue #10): a customer with two contracts gets one
 * invoice per billing date holding both contracts' lines when the org's `consolidate` setting is
 * on, and it goes the normal way (number, tax, ledger, Stripe, QuickBooks); off, one invoice per
 * contract period. Judged by the API and by what the simulated vendors hold.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { contracts } from '../src/db/schema.js';
import { SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The demo deal closed, and a second contract of the same customer with the same terms (no CRM deal). */
async function customerWithTwoContracts(consolidate: boolean) {
  h = await startHarness();
  const settings = await h.api('/api/v1/billing-settings', json('PUT', { grace_seconds: 0, consolidate }));
  expect(settings.status).toBe(200);
  expect((await readJson(settings)).consolidate).toBe(consolidate);
  const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
  await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
  await h.settle();
  const [demo] = await h.db.select().from(contracts).where(eq(contracts.orgId, h.orgId));
  // Sorted after the demo contract, so the demo's is the consolidated invoices' first contract.
  const second = { ...demo!, id: 'ctr_zz_second', sourceSystem: 'test', sourceDealId: 'second-deal' };
  await h.db.insert(contracts).values(second);
  return { demo: demo!, second };
}

async function runTwoMonthsAhead() {
  const run = await h!.api('/api/v1/billing-runs', json('POST', { at: '2026-05-02' }));
  expect(run.status).toBe(202);
  await h!.settle();
  const res = await h!.api('/api/v1/invoices?limit=100');
  return (await readJson(res)).data as {
    id: string;
    status: string;
    total_minor: number;
    erp_refs: { system: string }[];
  }[];
}

describe('consolidation', () => {
  it('on: one invoice per billing date with both contracts lines, finalized, paid and at QuickBooks', async () => {
    const { demo, second } = await customerWithTwoContracts(true);
    const all = await runTwoMonthsAhead();
    const details = await Promise.all(all.map(async (i) => readJson(await h!.api(`/api/v1/invoices/${i.id}`))));
    const both = details.filter((d) => new Set(d.lines.map((l: { contract_id: string }) => l.contract_id)).size === 2);
    // The deal's first invoice, the second contract's first month alone, then April and May: each
    // one invoice holding a period of each contract.
    expect(all).toHaveLength(4);
    expect(both).toHaveLength(2);
    for (const d of both) {
      expect(d.status).toBe('paid');
      expect(d.number).toMatch(/^INV-/);
      expect(d.erp_refs.map((r: { system: string }) => r.system)).toContain('quickbooks');
      expect(d.contract_id).toBe(demo.id);
      const periods = d.lines.map(
        (l: { contract_id: string; period_start: string }) => `${l.contract_id}@${l.period_start}`,
      );
      const starts = new Set(d.lines.map((l: { period_start: string }) => l.period_start));
      expect(starts.size).toBe(1);
      expect(periods.some((p: string) => p.startsWith(`${second.id}@`))).toBe(true);
      expect(periods.some((p: string) => p.startsWith(`${demo.id}@`))).toBe(true);
      expect(d.total_minor).toBe(
        d.lines.reduce(
          (n: number, l: { amount_minor: number; tax_minor: number }) => n + l.amount_minor + l.tax_minor,
          0,
        ),
      );
    }
    expect(all.every((i) => i.status === 'paid')).toBe(true);
    // QuickBooks holds each of our invoices once, the consolidated ones with both contracts' lines.
    expect(h!.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(all.length);

    // A rerun of the same date writes nothing.
    const again = await runTwoMonthsAhead();
    expect(again.length).toBe(all.length);
  });

  it('off: one invoice per contract period', async () => {
    const { demo, second } = await customerWithTwoContracts(false);
    const all = await runTwoMonthsAhead();
    const details = await Promise.all(all.map(async (i) => readJson(await h!.api(`/api/v1/invoices/${i.id}`))));
    for (const d of details) {
      expect(new Set(d.lines.map((l: { contract_id: string }) => l.contract_id))).toEqual(new Set([d.contract_id]));
    }
    const ofSecond = details.filter((d) => d.contract_id === second.id).length;
    const ofDemo = details.filter((d) => d.contract_id === demo.id).length;
    // March, April and May of each contract (the demo's March is the deal's first invoice).
    expect(all).toHaveLength(6);
    expect([ofDemo, ofSecond]).toEqual([3, 3]);
    expect(all.every((i) => i.status === 'paid')).toBe(true);
    const rows = await h!.db
      .select()
      .from(contracts)
      .where(and(eq(contracts.orgId, h!.orgId), eq(contracts.customerId, demo.customerId)));
    expect(rows).toHaveLength(2);
  });
});
