/**
 * The same deal-to-cash path as test/deal-to-cash.e2e.test.ts, with the hub under workerd
 * (Miniflare: D1, Queues, nodejs_compat) and the vendor simulators in this process on loopback.
 * Judged by what the simulated vendors hold, then by the deal trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO, type Simulators, startSimulators } from '../src/runtime/simulators.js';
import { startWorkerd, type WorkerdHub } from './support/workerd-harness.js';

interface TraceJob {
  dedupeKey: string;
  state: string;
  lastError: string | null;
}
interface Trace {
  invoices: { status: string; totalMinor: number; amountPaidMinor: number }[];
  payments: { status: string }[];
  jobs: TraceJob[];
}

let hub: WorkerdHub;
let sims: Simulators;

beforeAll(async () => {
  hub = await startWorkerd();
  sims = await startSimulators({ now: () => new Date() });
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

  it('carries a closed-won opportunity to tax, payment and QuickBooks', async () => {
    const setup = await fetch(`${hub.url}/sandbox/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme (workerd)', connections: sims.connections }),
    });
    expect(setup.status).toBe(201);
    const org = (await setup.json()) as { orgId: string; apiKey: string; stripeConnectionId: string };
    sims.stripe.setWebhookUrl(`${hub.url}/webhooks/stripe/${org.stripeConnectionId}`);

    const { opportunityId } = sims.salesforce.seedClosedWonOpportunity();
    const ack = await fetch(`${hub.url}/webhooks/salesforce`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' },
      body: sims.salesforce.outboundMessageFor(opportunityId),
    });
    expect(ack.status).toBe(200);
    expect(await ack.text()).toContain('<Ack>true</Ack>');

    const traceUrl = `${hub.url}/api/v1/deals/salesforce/${opportunityId}/trace`;
    const readTrace = async (): Promise<Trace> => {
      const res = await fetch(traceUrl, { headers: { authorization: `Bearer ${org.apiKey}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as Trace;
    };

    // Jobs run through the queue consumer (Miniflare delivers batches after max_batch_timeout);
    // each round also runs the cron sweep, so progress never depends on a timer alone. Stripe
    // events are delivered to the worker once the simulator holds them. Bounded: 300 rounds.
    let trace = await readTrace();
    for (let round = 0; round < 300; round++) {
      if (sims.stripe.state.outbox.length > 0) await sims.stripe.flushWebhooks();
      trace = await readTrace();
      const dead = trace.jobs.filter((j) => j.state === 'dead');
      expect(dead, JSON.stringify(dead)).toEqual([]);
      if (trace.jobs.length >= 6 && trace.jobs.every((j) => j.state === 'succeeded')) break;
      await hub.sweep();
      await new Promise((r) => setTimeout(r, 100));
    }

    expect(vendorCounts()).toEqual({ avalaraTransactions: 1, stripePaymentIntents: 1, qboInvoices: 1, qboPayments: 1 });
    const intents = [...sims.stripe.state.paymentIntents.values()] as { status: string }[];
    expect(intents.map((pi) => pi.status)).toEqual(['succeeded']);

    expect(trace.jobs.map((j) => j.dedupeKey.split(':')[0]).sort()).toEqual(
      [
        'collect-payment',
        'deal-to-contract',
        'finalize-invoice',
        'post-invoice-to-erp',
        'post-payment-to-erp',
        'record-payment',
      ].sort(),
    );
    expect(trace.jobs.every((j) => j.state === 'succeeded')).toBe(true);
    expect(trace.invoices).toHaveLength(1);
    expect(trace.invoices[0]!.status).toBe('paid');
    expect(trace.invoices[0]!.amountPaidMinor).toBe(trace.invoices[0]!.totalMinor);
    expect(trace.payments.map((p) => p.status)).toEqual(['succeeded']);
  });
});
