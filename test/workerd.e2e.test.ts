/**
 * The deal-to-cash path of test/deal-to-cash.e2e.test.ts with the hub under workerd (Miniflare:
 * D1, Queues, Cron, nodejs_compat; bundled by wrangler from wrangler.toml) and the vendor
 * simulators in this process on loopback. Judged by what the simulated vendors hold, then by
 * the deal trace. Waiting is a bounded loop of polls; no sleep decides an assertion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO, type Simulators, startSimulators } from '../src/runtime/simulators.js';
import { startWorkerd, type WorkerdHub } from './support/workerd-harness.js';

interface TraceJob {
  id: string;
  dedupeKey: string;
  state: string;
  attempts: number;
  lastError: string | null;
}
interface Trace {
  invoices: { status: string; totalMinor: number; amountPaidMinor: number }[];
  payments: { status: string }[];
  jobs: TraceJob[];
}

/** The deal's jobs by flow: a CRM write-back after the invoice was finalized and after it was paid. */
const FLOWS = [
  'collect-payment',
  'crm-write-back',
  'crm-write-back',
  'deal-to-contract',
  'finalize-invoice',
  'post-invoice-to-erp',
  'post-payment-to-erp',
  'record-payment',
];

let hub: WorkerdHub;
let sims: Simulators;
let apiKey: string;

beforeAll(async () => {
  hub = await startWorkerd();
  sims = await startSimulators({ now: () => new Date() });
  const setup = await fetch(`${hub.url}/sandbox/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Acme (workerd)', connections: sims.connections }),
  });
  expect(setup.status).toBe(201);
  const org = (await setup.json()) as { orgId: string; apiKey: string; stripeConnectionId: string };
  apiKey = org.apiKey;
  sims.stripe.setWebhookUrl(`${hub.url}/webhooks/stripe/${org.stripeConnectionId}`);
}, 120_000);

afterAll(async () => {
  await sims?.close();
  await hub?.close();
});

function vendorCounts() {
  const realm = SANDBOX_QBO.realmId;
  return {
    avalaraTransactions: sims.avalara.state.count(SANDBOX_AVALARA_COMPANY),
    stripePaymentIntents: sims.stripe.state.paymentIntents.size,
    qboInvoices: sims.quickbooks.state.count(realm, 'Invoice'),
    qboPayments: sims.quickbooks.state.count(realm, 'Payment'),
  };
}

function delta(before: ReturnType<typeof vendorCounts>, after: ReturnType<typeof vendorCounts>) {
  return Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]]),
  ) as ReturnType<typeof vendorCounts>;
}

async function readTrace(opportunityId: string): Promise<Trace> {
  const res = await fetch(`${hub.url}/api/v1/deals/salesforce/${opportunityId}/trace`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Trace;
}

async function closeDeal(): Promise<string> {
  const { opportunityId } = sims.salesforce.seedClosedWonOpportunity();
  const ack = await fetch(`${hub.url}/webhooks/salesforce`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' },
    body: sims.salesforce.outboundMessageFor(opportunityId),
  });
  expect(ack.status).toBe(200);
  expect(await ack.text()).toContain('<Ack>true</Ack>');
  return opportunityId;
}

/**
 * Polls the trace until `done` holds (bounded), delivering Stripe's events to the worker as the
 * simulator produces them; with `sweep`, each round also runs the worker's cron handler.
 */
async function pollUntil(
  opportunityId: string,
  done: (trace: Trace) => boolean,
  options: { sweep: boolean; rounds?: number },
): Promise<Trace> {
  let trace = await readTrace(opportunityId);
  for (let round = 0; round < (options.rounds ?? 300); round++) {
    if (sims.stripe.state.outbox.length > 0) await sims.stripe.flushWebhooks();
    trace = await readTrace(opportunityId);
    if (done(trace)) return trace;
    if (options.sweep) await hub.sweep();
    await new Promise((r) => setTimeout(r, 100)); // pacing between polls, not an assertion
  }
  return trace;
}

const allSucceeded = (t: Trace) => t.jobs.length >= FLOWS.length && t.jobs.every((j) => j.state === 'succeeded');
const anyDead = (t: Trace) => t.jobs.some((j) => j.state === 'dead');

function expectDealPaid(trace: Trace) {
  expect(trace.jobs.filter((j) => j.state !== 'succeeded')).toEqual([]);
  expect(trace.jobs.map((j) => j.dedupeKey.split(':')[0]).sort()).toEqual(FLOWS);
  expect(trace.invoices).toHaveLength(1);
  expect(trace.invoices[0]!.status).toBe('paid');
  expect(trace.invoices[0]!.amountPaidMinor).toBe(trace.invoices[0]!.totalMinor);
  expect(trace.payments.map((p) => p.status)).toEqual(['succeeded']);
}

describe('deal to cash on workerd', () => {
  it('refuses bad sandbox setup input with a problem naming the field', async () => {
    const res = await fetch(`${hub.url}/sandbox/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connections: [{ vendor: 'nope' }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toContain('connections.0.vendor');
  });

  it('carries a closed-won opportunity to tax, payment and QuickBooks (queue and cron)', async () => {
    const before = vendorCounts();
    const opportunityId = await closeDeal();
    const trace = await pollUntil(opportunityId, (t) => allSucceeded(t) || anyDead(t), { sweep: true });

    expect(delta(before, vendorCounts())).toEqual({
      avalaraTransactions: 1,
      stripePaymentIntents: 1,
      qboInvoices: 1,
      qboPayments: 1,
    });
    const intents = [...sims.stripe.state.paymentIntents.values()] as { status: string }[];
    expect(intents.filter((pi) => pi.status !== 'succeeded')).toEqual([]);
    expectDealPaid(trace);
    // The billing state was written back to the simulated Opportunity.
    expect(sims.salesforce.state.store.get('Opportunity', opportunityId)).toMatchObject({
      Hub_Billing_Status__c: 'paid',
      Hub_Amount_Paid__c: trace.invoices[0]!.totalMinor / 100,
      Hub_Outstanding__c: 0,
    });
  });

  it('runs a deal on queue delivery alone, re-sending a rate-limited job with its delay', async () => {
    // Avalara answers the first tax call with 429 Retry-After: 1; the consumer re-sends the
    // rescheduled job with delaySeconds and no cron sweep runs in this test.
    sims.avalara.faults.inject('/api/v2/transactions', { kind: 'status', status: 429, retryAfterSeconds: 1 }, 1);
    const before = vendorCounts();
    const opportunityId = await closeDeal();
    const trace = await pollUntil(opportunityId, (t) => allSucceeded(t) || anyDead(t), { sweep: false });

    expect(delta(before, vendorCounts())).toEqual({
      avalaraTransactions: 1,
      stripePaymentIntents: 1,
      qboInvoices: 1,
      qboPayments: 1,
    });
    expectDealPaid(trace);
    const retried = trace.jobs.filter((j) => j.attempts > 1);
    expect(retried.map((j) => j.dedupeKey.split(':')[0])).toEqual(['finalize-invoice']);
  });

  it('marks a job dead with a readable reason when its message reaches the dead letter queue', async () => {
    sims.avalara.faults.always('/api/v2/transactions', { kind: 'status', status: 503 });
    try {
      const opportunityId = await closeDeal();
      const waiting = await pollUntil(
        opportunityId,
        (t) => t.jobs.some((j) => j.dedupeKey.startsWith('finalize-invoice') && j.state === 'queued' && j.lastError),
        { sweep: false },
      );
      const job = waiting.jobs.find((j) => j.dedupeKey.startsWith('finalize-invoice'))!;
      expect(job.state).toBe('queued');

      await hub.sendToDeadLetters(job.id);
      const after = await pollUntil(opportunityId, (t) => t.jobs.find((j) => j.id === job.id)?.state === 'dead', {
        sweep: false,
      });
      const dead = after.jobs.find((j) => j.id === job.id)!;
      expect(dead.state).toBe('dead');
      expect(dead.lastError).toMatch(/^queue delivery failed repeatedly .*hub-jobs-dlq.*last job error: retryable/);

      const listed = await fetch(`${hub.url}/api/v1/jobs?state=dead`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      expect(listed.status).toBe(200);
      const { jobs } = (await listed.json()) as { jobs: { id: string }[] };
      expect(jobs.map((j) => j.id)).toContain(job.id);
    } finally {
      sims.avalara.faults.clear();
    }
  });
});
