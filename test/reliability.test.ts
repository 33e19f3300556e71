/**
 * Reliability on Node: crashes between a vendor's accept and our commit, 429 storms with
 * Retry-After, a vendor down until attempts run out, forged webhooks, bad deals, tenancy.
 * Every verdict is read off the simulated vendors' state or the database, not our logs.
 */
import { count, eq } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterEach, describe, expect, it } from 'vitest';
import { contracts, customers, invoices, jobs, webhookInbox } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { addApiKey, createOrgWithKey } from '../src/db/seed.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, ONE_OF_EACH, readJson, startHarness, vendorCounts } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const rows = async (table: SQLiteTable) => (await h!.db.select({ n: count() }).from(table))[0]!.n;

async function startDeal(x: Harness) {
  const seeded = x.sims.salesforce.seedClosedWonOpportunity();
  expect((await x.deliverOutboundMessage(x.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(200);
  return seeded.opportunityId;
}

async function trace(x: Harness, opportunityId: string) {
  return readJson(await x.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
}

describe('crash after the vendor accepted a write, before our commit', () => {
  const externalSteps = [
    ['finalize-invoice', 'tax'],
    ['collect-payment', 'payment-customer'],
    ['collect-payment', 'payment'],
    ['post-invoice-to-erp', 'erp-customer'],
    ['post-invoice-to-erp', 'erp-items'],
    ['post-invoice-to-erp', 'erp-invoice'],
    ['post-payment-to-erp', 'erp-payment'],
    ['crm-write-back', 'write-back'],
  ] as const;

  it.each(externalSteps)(
    '%s › %s: after restart the path completes with no duplicate at the vendor',
    async (flow, step) => {
      let crashed = false;
      h = await startHarness({
        hooks: {
          afterExternalWrite: (f, s) => {
            if (!crashed && f === flow && s === step) {
              crashed = true;
              throw new SimulatedCrash(`after ${f} › ${s}`);
            }
          },
        },
      });
      const opportunityId = await startDeal(h);
      await expect(h.settle()).rejects.toThrow(/simulated crash/);
      expect(crashed).toBe(true);

      // The dead process left its job running under a lease; a new process picks it up once the lease expires.
      await h.restart();
      h.clock.advance(6 * 60_000);
      await h.settle();

      expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
      const t = await trace(h, opportunityId);
      expect(t.invoices[0].status).toBe('paid');
      expect(t.jobs.every((j: { state: string }) => j.state === 'succeeded')).toBe(true);
    },
  );
});

describe('retries', () => {
  it('waits as Stripe tells it after two 429s with Retry-After, then succeeds once', async () => {
    h = await startHarness();
    h.sims.stripe.faults.inject(
      '/v1/payment_intents',
      { kind: 'status', status: 429, retryAfterSeconds: 7 },
      2,
      'POST',
    );
    await startDeal(h);
    await h.settle();

    const collectJob = async () =>
      (
        await h!.db
          .select()
          .from(jobs)
          .where(eq(jobs.dedupeKey, `collect-payment:${await invoiceId()}`))
      )[0]!;
    const invoiceId = async () => (await h!.db.select().from(invoices))[0]!.id;
    for (const attempt of [1, 2]) {
      const job = await collectJob();
      expect(job.state).toBe('queued');
      expect(job.attempts).toBe(attempt);
      expect(job.nextAttemptAt - h.clock.now().getTime()).toBe(7_000);
      expect(job.lastError).toMatch(/retryable/);
      h.clock.advance(6_999);
      expect(await h.driver.drain()).toBe(0); // not a millisecond early
      h.clock.advance(1);
      await h.settle();
    }
    expect((await collectJob()).state).toBe('succeeded');
    expect(h.sims.stripe.state.paymentIntents.size).toBe(1);
    expect([...h.sims.stripe.state.paymentIntents.values()][0]!.status).toBe('succeeded');
  });

  it('sends a job QuickBooks keeps failing to the dead letters with a readable reason; replay completes it', async () => {
    h = await startHarness();
    h.sims.quickbooks.faults.always('/v3/company/', { kind: 'status', status: 500 }, 'POST');
    const opportunityId = await startDeal(h);
    for (let i = 0; i < 12; i++) {
      await h.settle();
      h.clock.advance(60 * 60_000);
    }
    const deadRes = await h.api('/api/v1/jobs?state=dead');
    expect(deadRes.status).toBe(200);
    const dead = (await readJson(deadRes)).jobs as { id: string; lastError: string; attempts: number }[];
    const erpInvoiceJob = dead.find((j) => j.lastError.includes('QuickBooks') || j.lastError.includes('500'));
    expect(erpInvoiceJob).toBeDefined();
    expect(erpInvoiceJob!.lastError).toMatch(/gave up after 8 attempts/);
    expect(erpInvoiceJob!.lastError).toMatch(/500/);
    expect(h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(0);

    h.sims.quickbooks.faults.clear();
    for (const job of dead) {
      expect((await h.api(`/api/v1/jobs/${job.id}/replay`, { method: 'POST' })).status).toBe(202);
    }
    await h.settle();
    h.clock.advance(60_000); // the payment posting waits for the invoice to reach QuickBooks
    await h.settle();
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    expect((await trace(h, opportunityId)).jobs.every((j: { state: string }) => j.state === 'succeeded')).toBe(true);
    const again = await h.api(`/api/v1/jobs/${dead[0]!.id}/replay`, { method: 'POST' });
    expect(again.status).toBe(409);
  });
});

describe('bad input changes nothing', () => {
  it('rejects a Stripe webhook with a bad signature: 401, nothing stored', async () => {
    h = await startHarness();
    const body = JSON.stringify({ id: 'evt_forged', type: 'payment_intent.succeeded', data: { object: {} } });
    const jobsBefore = await rows(jobs);
    for (const signature of [undefined, 't=1,v1=deadbeef', await h.sims.stripe.signPayload(`${body} `)]) {
      const res = await h.hub.app.request(`/webhooks/stripe/${h.stripeConnectionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
        body,
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await rows(webhookInbox)).toBe(0);
    expect(await rows(jobs)).toBe(jobsBefore);
  });

  it.each([
    ['no line items', { lineItems: [] }, /no line items/],
    ['an unknown currency', { currency: 'XYZ' }, /unknown currency "XYZ"/],
  ])('stops an opportunity with %s at the mapping step, with the reason in the trace', async (_, seed, reason) => {
    h = await startHarness();
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity(seed);
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    const t = await trace(h, opportunityId);
    expect(t.jobs).toHaveLength(1);
    expect(t.jobs[0].state).toBe('dead');
    expect(t.jobs[0].last_error).toMatch(reason);
    const mapStep = t.jobs[0].steps.find((s: { step: string }) => s.step === 'map');
    expect(mapStep.status).toBe('failed');
    expect(mapStep.error).toMatch(reason);
    expect(await rows(customers)).toBe(0);
    expect(await rows(contracts)).toBe(0);
    expect(await rows(invoices)).toBe(0);
    expect(h.sims.stripe.state.customers.size).toBe(0);
  });

  it('records an Outbound Message for a deal not yet won without starting anything; winning it later does', async () => {
    h = await startHarness();
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity({ stageName: 'Negotiation/Review' });
    expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId))).status).toBe(200);
    expect(await rows(webhookInbox)).toBe(1);
    expect(await rows(jobs)).toBe(0);
    const won = h.sims.salesforce.seedClosedWonOpportunity();
    expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(won.opportunityId))).status).toBe(200);
    expect(await rows(jobs)).toBe(1);
  });

  it('answers a malformed opportunity id and a malformed Outbound Message with a 4xx problem', async () => {
    h = await startHarness();
    const res = await h.api('/api/v1/sync/salesforce/opportunities/not-an-id', { method: 'POST' });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.errors[0].field).toBe('id');
    const soap = await h.deliverOutboundMessage('<not-soap');
    expect(soap.status).toBe(400);
    expect(await rows(jobs)).toBe(0);
  });
});

describe('tenancy and roles', () => {
  it("never lets org B read or replay org A's objects", async () => {
    h = await startHarness();
    h.sims.quickbooks.faults.always('/v3/company/', { kind: 'status', status: 500 }, 'POST');
    const opportunityId = await startDeal(h);
    for (let i = 0; i < 12; i++) {
      await h.settle();
      h.clock.advance(60 * 60_000);
    }
    const deadA = (await readJson(await h.api('/api/v1/jobs?state=dead'))).jobs as { id: string }[];
    expect(deadA.length).toBeGreaterThan(0);

    const keyB = (
      await createOrgWithKey(h.db, h.clock, await importEncryptionKey(generateEncryptionKey()), {
        name: 'Other',
        connections: [],
      })
    ).apiKey;
    const traceB = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`, { key: keyB }));
    expect(traceB.contracts).toEqual([]);
    expect(traceB.invoices).toEqual([]);
    expect(traceB.jobs).toEqual([]);
    expect((await readJson(await h.api('/api/v1/jobs?state=dead', { key: keyB }))).jobs).toEqual([]);
    const replay = await h.api(`/api/v1/jobs/${deadA[0]!.id}/replay`, { method: 'POST', key: keyB });
    expect(replay.status).toBe(404);
    const [stillDead] = await h.db.select().from(jobs).where(eq(jobs.id, deadA[0]!.id));
    expect(stillDead!.state).toBe('dead');
  });

  it('refuses a missing key, and a viewer replaying jobs', async () => {
    h = await startHarness();
    expect((await h.hub.app.request('/api/v1/jobs')).status).toBe(401);
    const viewer = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    expect((await h.api('/api/v1/jobs/job_x/replay', { method: 'POST', key: viewer })).status).toBe(403);
  });
});
