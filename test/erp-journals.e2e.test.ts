/**
 * Issue #13 on Node against the QuickBooks simulator: the two ERP posting modes.
 * Documents mode: the demo deal's invoice, payment, credit note and refund reach QuickBooks once
 * each (Invoice, Payment, CreditMemo, RefundReceipt). Journals mode with a full account map: the
 * period sync posts every ledger entry once as a JournalEntry, and a second sync posts nothing.
 * A missing mapping pauses the job (not dead) with the hub account named; setting it resumes.
 * Judged by the simulator's state and the API.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { connections, flowSteps, jobs, ledgerEntries } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const send = (method: string, body?: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/** A fresh sandbox company's accounts, one per hub account of the default chart. */
const FULL_MAP = {
  accounts_receivable: '84',
  unbilled_receivables: '85',
  cash: '35',
  deferred_revenue: '92',
  tax_payable: '33',
  customer_credit: '91',
  revenue: '79',
  discounts: '86',
  payment_fees: '90',
  bad_debt: '93',
  rounding_difference: '94',
  disputed_funds: '95',
};

const count = (entity: 'Invoice' | 'Payment' | 'CreditMemo' | 'RefundReceipt' | 'JournalEntry') =>
  h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, entity);

async function closeDemoDeal() {
  const seeded = h.sims.salesforce.seedClosedWonOpportunity();
  expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(200);
  await h.settle();
  const list = await readJson(await h.api('/api/v1/invoices'));
  return list.data[0] as { id: string; status: string; number: string };
}

const putSettings = async (body: unknown) => {
  const res = await h.api('/api/v1/erp/settings', send('PUT', body));
  return { status: res.status, body: await readJson(res) };
};
const sync = async (period: string) => {
  const res = await h.api(`/api/v1/erp/journals/sync?period=${period}`, send('POST'));
  return { status: res.status, body: await readJson(res) };
};
const entryCount = async () => (await h.db.select().from(ledgerEntries).where(eq(ledgerEntries.orgId, h.orgId))).length;

describe('ERP posting modes against the QuickBooks simulator', () => {
  it('documents mode posts each document once; journals mode posts each ledger entry once', async () => {
    h = await startHarness();
    expect(await readJson(await h.api('/api/v1/erp/settings'))).toMatchObject({
      vendor: 'quickbooks',
      mode: 'documents',
      // The sandbox connection maps cash (refunds leave from it) to the company's Checking.
      account_map: { cash: '35' },
    });
    const invoice = await closeDemoDeal();
    expect(invoice.status).toBe('paid');
    const note = await h.api(`/api/v1/invoices/${invoice.id}/credit-notes`, send('POST', { reason: 'duplicate' }));
    expect(note.status).toBe(202);
    await h.settle();
    expect([count('Invoice'), count('Payment'), count('CreditMemo'), count('RefundReceipt')]).toEqual([1, 1, 1, 1]);
    expect(count('JournalEntry')).toBe(0);
    // A journals sync is refused while the connection posts documents.
    expect((await sync('2026-03')).status).toBe(409);

    // An unknown hub account code is named and changes nothing.
    const bad = await putSettings({ mode: 'journals', account_map: { ...FULL_MAP, nonsense_account: '1' } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('nonsense_account');
    expect((await readJson(await h.api('/api/v1/erp/settings'))).mode).toBe('documents');

    const put = await putSettings({ mode: 'journals', account_map: FULL_MAP });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ mode: 'journals', unmapped: [] });
    const entries = await entryCount();
    expect(entries).toBe(4);
    const first = await sync('2026-03');
    expect(first.body).toMatchObject({ entries, already_posted: 0, queued: entries, requeued: 0, remaining: 0 });
    await h.settle();
    expect(count('JournalEntry')).toBe(entries);
    // Receivable lines name the QuickBooks customer; every journal balances.
    const journals = [...[...h.sims.quickbooks.state.realms.values()][0]!.entities.JournalEntry.values()] as {
      Line: {
        Amount: number;
        JournalEntryLineDetail: { PostingType: string; Entity?: unknown; AccountRef: { value: string } };
      }[];
    }[];
    for (const j of journals) {
      const net = j.Line.reduce(
        (s, l) => s + (l.JournalEntryLineDetail.PostingType === 'Debit' ? l.Amount : -l.Amount),
        0,
      );
      expect(Math.abs(net)).toBeLessThan(1e-9);
      for (const l of j.Line.filter((x) => x.JournalEntryLineDetail.AccountRef.value === '84')) {
        expect(l.JournalEntryLineDetail.Entity).toMatchObject({ Type: 'Customer' });
      }
    }
    // Nothing new: a second sync queues nothing and posts nothing; the documents were not posted again.
    const second = await sync('2026-03');
    expect(second.body).toMatchObject({ entries, already_posted: entries, queued: 0, requeued: 0, in_progress: 0 });
    await h.settle();
    expect(count('JournalEntry')).toBe(entries);
    expect([count('Invoice'), count('Payment'), count('CreditMemo'), count('RefundReceipt')]).toEqual([1, 1, 1, 1]);
  });

  it('a missing mapping pauses the job with the hub account named; setting it resumes the job', async () => {
    h = await startHarness();
    await closeDemoDeal();
    const { tax_payable: _tax, ...partial } = FULL_MAP;
    expect((await putSettings({ mode: 'journals', account_map: partial })).body.unmapped).toEqual(['tax_payable']);
    const queued = await sync('2026-03');
    expect(queued.body.queued).toBe(await entryCount());
    await h.settle();

    // The invoice's entry (it credits tax payable) waits, queued, not dead; the connection says why.
    const waiting = await h.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.orgId, h.orgId), eq(jobs.kind, 'flow')));
    const paused = waiting.filter((j) => j.dedupeKey.startsWith('post-journal-to-erp:') && j.state !== 'succeeded');
    expect(paused.length).toBeGreaterThan(0);
    for (const job of paused) expect(job.state).toBe('queued');
    expect(paused.some((j) => (j.lastError ?? '').includes('tax_payable'))).toBe(true);
    expect(waiting.some((j) => j.state === 'dead')).toBe(false);
    const [connection] = await h.db
      .select()
      .from(connections)
      .where(and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'quickbooks')));
    expect(connection).toMatchObject({ status: 'unhealthy' });
    expect(connection!.statusReason).toContain('tax_payable');
    expect(count('JournalEntry')).toBeLessThan(await entryCount());

    // Setting the mapping lifts the pause; every entry is then posted once.
    expect((await putSettings({ mode: 'journals', account_map: FULL_MAP })).status).toBe(200);
    await h.settle();
    expect(count('JournalEntry')).toBe(await entryCount());
    const again = await sync('2026-03');
    expect(again.body).toMatchObject({ queued: 0, already_posted: await entryCount() });
  });

  it('in journals mode from the start, the booking flows queue the journals and the document flows stop saying why', async () => {
    h = await startHarness();
    expect((await putSettings({ mode: 'journals', account_map: FULL_MAP })).status).toBe(200);
    const invoice = await closeDemoDeal();
    expect(invoice.status).toBe('paid');
    // No sync: finalize-invoice and record-payment queued the journal of each entry they booked.
    expect(await entryCount()).toBe(2);
    expect(count('JournalEntry')).toBe(2);
    expect([count('Invoice'), count('Payment')]).toEqual([0, 0]);
    const stopped = await h.db
      .select()
      .from(flowSteps)
      .where(and(eq(flowSteps.orgId, h.orgId), eq(flowSteps.step, 'stopped')));
    const reasons = stopped.map((s) => JSON.parse(s.output ?? '{}').reason as string);
    expect(reasons).toHaveLength(2);
    for (const reason of reasons) expect(reason).toContain('journals mode');
    expect((await sync('2026-03')).body).toMatchObject({ queued: 0, already_posted: 2 });
  });

  it('a crash after QuickBooks accepted a journal and before our commit: the retry finds it, no duplicate', async () => {
    const crash = {
      fired: false,
      afterExternalWrite: (flow: string, step: string) => {
        if (!crash.fired && flow === 'post-journal-to-erp' && step === 'erp-journal') {
          crash.fired = true;
          throw new SimulatedCrash(`after ${flow} › ${step}`);
        }
      },
    };
    h = await startHarness({ hooks: crash });
    expect((await putSettings({ mode: 'journals', account_map: FULL_MAP })).status).toBe(200);
    await closeDemoDeal().catch((error) => {
      if (!/simulated crash/i.test(String(error))) throw error;
    });
    await h.restart();
    // The dead process's lease runs out, then the job runs again (reconciling first).
    h.clock.advance(6 * 60_000);
    await h.settle();
    expect(crash.fired).toBe(true);
    expect(count('JournalEntry')).toBe(await entryCount());
    const notDone = (await h.db.select().from(jobs)).filter((j) => j.state !== 'succeeded');
    expect(notDone.map((j) => `${j.dedupeKey}: ${j.lastError}`)).toEqual([]);
  });
});
