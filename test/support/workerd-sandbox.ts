/**
 * One hub under workerd (test/support/workerd-harness.ts) with the vendor simulators in this
 * process on loopback and a sandbox org set up through `POST /sandbox/setup`, plus what the
 * workerd end-to-end tests judge by: what the simulated vendors hold and the deal trace API.
 * Waiting is a bounded loop of polls; no sleep decides an assertion.
 */
import { expect } from 'vitest';
import {
  SANDBOX_AVALARA_COMPANY,
  SANDBOX_QBO,
  type SandboxErp,
  type Simulators,
  startSimulators,
} from '../../src/runtime/simulators.js';
import { startWorkerd, type WorkerdHub } from './workerd-harness.js';

export type DealSystem = 'salesforce' | 'hubspot';

export interface TraceJob {
  id: string;
  dedupe_key: string;
  state: string;
  attempts: number;
  last_error: string | null;
}

export interface Trace {
  contracts: { id: string; version: number; mapping_version: string }[];
  invoices: { number: string; status: string; total_minor: number; amount_paid_minor: number }[];
  payments: { status: string }[];
  jobs: TraceJob[];
}

/** A deal's jobs by flow: a CRM write-back after the invoice was finalized and after it was paid. */
const DEAL_FLOWS = [
  'collect-payment',
  'crm-write-back',
  'crm-write-back',
  'deal-to-contract',
  'finalize-invoice',
  'post-invoice-to-erp',
  'post-payment-to-erp',
  'record-payment',
];

export type SandboxConnection = Simulators['connections'][number];

export interface WorkerdSandbox {
  hub: WorkerdHub;
  sims: Simulators;
  orgId: string;
  apiKey: string;
  /** A request to the hub with the org's API key. */
  api(path: string, init?: RequestInit): Promise<Response>;
  readTrace(system: DealSystem, dealId: string): Promise<Trace>;
  /**
   * Polls the trace until `done` holds (bounded), delivering Stripe's events to the worker as the
   * simulator produces them; with `sweep`, each round also runs the worker's cron handler.
   */
  pollTrace(
    system: DealSystem,
    dealId: string,
    done: (trace: Trace) => boolean,
    options: { sweep: boolean; rounds?: number },
  ): Promise<Trace>;
  /**
   * Polls the deal until its jobs settle, then checks it reached cash exactly once: one of each
   * at the vendors since `before` (see `cash`) and a paid trace. Answers the trace.
   */
  expectPaid(system: DealSystem, dealId: string, options: { before: CashCounts; sweep: boolean }): Promise<Trace>;
  /** What the simulated vendors hold of the cash path now. */
  cash(): CashCounts;
  /** What the simulated vendors gained since `before`. */
  cashSince(before: CashCounts): CashCounts;
  /** Seeds a closed-won Opportunity and delivers its Outbound Message (`deliveries` times at once); answers its id. */
  closeSalesforceDeal(options?: { deliveries?: number }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the hub and the simulators and sets up one org; `connections` may change the settings
 * the simulators hand out (by default `sims.connections`, as they are).
 */
export async function startWorkerdSandbox(
  options: {
    name: string;
    connections?: (sims: Simulators) => SandboxConnection[];
    /** The ERP the sandbox org posts to (QuickBooks unless told). */
    erp?: SandboxErp;
  } = { name: 'Acme (workerd)' },
): Promise<WorkerdSandbox> {
  const hub = await startWorkerd();
  const sims = await startSimulators({ now: () => new Date(), erp: options.erp }).catch(async (error: unknown) => {
    await hub.close();
    throw error;
  });
  const close = async () => {
    await sims.close();
    await hub.close();
  };
  let org: { orgId: string; apiKey: string; stripeConnectionId: string; salesforceOutboundPath: string };
  try {
    const setup = await fetch(`${hub.url}/sandbox/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: options.name,
        connections: options.connections ? options.connections(sims) : sims.connections,
      }),
    });
    expect(setup.status).toBe(201);
    org = (await setup.json()) as typeof org;
  } catch (error) {
    await close();
    throw error;
  }
  sims.stripe.setWebhookUrl(`${hub.url}/webhooks/stripe/${org.stripeConnectionId}`);

  const api = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${org.apiKey}`);
    return fetch(`${hub.url}${path}`, { ...init, headers });
  };
  const readTrace = async (system: DealSystem, dealId: string) => {
    const res = await api(`/api/v1/deals/${system}/${dealId}/trace`);
    expect(res.status).toBe(200);
    return (await res.json()) as Trace;
  };

  const pollTrace: WorkerdSandbox['pollTrace'] = async (system, dealId, done, poll) => {
    let trace = await readTrace(system, dealId);
    for (let round = 0; round < (poll.rounds ?? 300); round++) {
      if (sims.stripe.state.outbox.length > 0) await sims.stripe.flushWebhooks();
      trace = await readTrace(system, dealId);
      if (done(trace)) return trace;
      if (poll.sweep) await hub.sweep();
      await new Promise((r) => setTimeout(r, 100)); // pacing between polls, not an assertion
    }
    return trace;
  };
  const cash = () => cashCounts(sims);
  const cashSince = (before: CashCounts) =>
    Object.fromEntries(Object.entries(cash()).map(([k, v]) => [k, v - before[k as keyof CashCounts]])) as CashCounts;

  return {
    hub,
    sims,
    orgId: org.orgId,
    apiKey: org.apiKey,
    api,
    readTrace,
    pollTrace,
    async expectPaid(system, dealId, { before, sweep }) {
      const trace = await pollTrace(system, dealId, (t) => allSucceeded(t) || anyDead(t), { sweep });
      expect(cashSince(before)).toEqual(ONE_DEAL_OF_CASH);
      expectDealPaid(trace);
      return trace;
    },
    cash,
    cashSince,
    async closeSalesforceDeal({ deliveries = 1 } = {}) {
      const { opportunityId } = sims.salesforce.seedClosedWonOpportunity();
      const body = sims.salesforce.outboundMessageFor(opportunityId);
      const deliver = () =>
        fetch(`${hub.url}${org.salesforceOutboundPath}`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' },
          body,
        });
      const acks = await Promise.all(Array.from({ length: deliveries }, deliver));
      for (const ack of acks) {
        expect(ack.status).toBe(200);
        expect(await ack.text()).toContain('<Ack>true</Ack>');
      }
      return opportunityId;
    },
    close,
  };
}

/** What the simulated vendors hold of the cash path. */
function cashCounts(sims: Simulators) {
  const realm = SANDBOX_QBO.realmId;
  return {
    avalaraTransactions: sims.avalara.state.count(SANDBOX_AVALARA_COMPANY),
    stripePaymentIntents: sims.stripe.state.paymentIntents.size,
    qboInvoices: sims.quickbooks.state.count(realm, 'Invoice'),
    qboPayments: sims.quickbooks.state.count(realm, 'Payment'),
  };
}

export type CashCounts = ReturnType<typeof cashCounts>;

/** One deal carried to cash: one tax transaction, one PaymentIntent, one QuickBooks invoice and payment. */
export const ONE_DEAL_OF_CASH: CashCounts = {
  avalaraTransactions: 1,
  stripePaymentIntents: 1,
  qboInvoices: 1,
  qboPayments: 1,
};

const allSucceeded = (t: Trace) => t.jobs.length >= DEAL_FLOWS.length && t.jobs.every((j) => j.state === 'succeeded');
const anyDead = (t: Trace) => t.jobs.some((j) => j.state === 'dead');

function expectDealPaid(trace: Trace) {
  expect(trace.jobs.filter((j) => j.state !== 'succeeded')).toEqual([]);
  expect(trace.jobs.map((j) => j.dedupe_key.split(':')[0]).sort()).toEqual(DEAL_FLOWS);
  expect(trace.contracts).toHaveLength(1);
  expect(trace.invoices).toHaveLength(1);
  expect(trace.invoices[0]!.status).toBe('paid');
  expect(trace.invoices[0]!.amount_paid_minor).toBe(trace.invoices[0]!.total_minor);
  expect(trace.payments.map((p) => p.status)).toEqual(['succeeded']);
}
