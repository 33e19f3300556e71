/**
 * POST /api/v1/invoices/{id}/void on Node against the simulators (issue #10): a finalized, unpaid
 * invoice ends with its Avalara document voided, its ledger entry reversed, its QuickBooks invoice
 * voided and its Stripe PaymentIntent cancelled; paid, void and draft invoices answer as the
 * lifecycle says; a crash in the middle of the void undoes nothing twice; a payment that succeeded
 * before the cancel undoes the void and says to issue a credit note. Judged by the API and by what
 * the simulated vendors hold.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { flowRuns, flowSteps, invoices, jobs } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO, SANDBOX_STRIPE } from '../src/runtime/simulators.js';
import { configureConnection, type Harness, readJson, startHarness } from './support/harness.js';

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

/** The demo deal closed and carried downstream, with a PaymentIntent the customer has not paid yet. */
async function finalizedUnpaid(hooks?: Parameters<typeof startHarness>[0]) {
  h = await startHarness(hooks);
  // No test card: the PaymentIntent waits for the customer (hosted page), so the invoice stays open.
  await configureConnection(h, 'stripe', 'testPaymentMethod', '');
  const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
  await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
  await h.settle();
  const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
  expect(invoice!.status).toBe('finalized');
  return { invoice: invoice!, opportunityId };
}

function vendorsOf(h: Harness, number: string) {
  const realm = h.sims.quickbooks.state.realms.get(SANDBOX_QBO.realmId) as unknown as
    | {
        entities: {
          Invoice: Map<string, { DocNumber?: string; TotalAmt: number; PrivateNote?: string; SyncToken: string }>;
        };
      }
    | undefined;
  return {
    tax: h.sims.avalara.state.find(SANDBOX_AVALARA_COMPANY, number),
    erp: [...(realm?.entities.Invoice.values() ?? [])].find((i) => i.DocNumber === number),
    intents: [...h.sims.stripe.state.paymentIntents.values()],
  };
}

async function detail(id: string) {
  const res = await h!.api(`/api/v1/invoices/${id}`);
  expect(res.status).toBe(200);
  return readJson(res);
}

/** Net of every ledger line of the invoice, per account: zero once the reversal is booked. */
function netByAccount(entries: { lines: { account: string; debit_minor: number; credit_minor: number }[] }[]) {
  const net: Record<string, number> = {};
  for (const e of entries)
    for (const l of e.lines) net[l.account] = (net[l.account] ?? 0) + l.debit_minor - l.credit_minor;
  return net;
}

const confirmAtStripe = (intentId: string) =>
  fetch(`${h!.sims.servers.stripe!.url}/v1/payment_intents/${intentId}/confirm`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SANDBOX_STRIPE.apiKey}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'payment_method=pm_card_visa',
  });

describe('void of an invoice', () => {
  it('a finalized, unpaid invoice: tax voided, ledger reversed, QuickBooks voided, PaymentIntent cancelled', async () => {
    const { invoice, opportunityId } = await finalizedUnpaid();
    const number = invoice.number!;
    expect(vendorsOf(h!, number).tax?.status).toBe('Committed');
    expect(vendorsOf(h!, number).intents.map((i) => i.status)).toEqual(['requires_payment_method']);

    const res = await h!.api(`/api/v1/invoices/${invoice.id}/void`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await readJson(res)).toMatchObject({ id: invoice.id, status: 'void' });
    await h!.settle();

    const after = vendorsOf(h!, number);
    expect(after.tax?.status).toBe('Cancelled');
    expect(after.intents.map((i) => i.status)).toEqual(['canceled']);
    expect(after.erp).toMatchObject({ TotalAmt: 0, SyncToken: '1' });
    expect(after.erp?.PrivateNote).toMatch(/^Voided/);

    const body = await detail(invoice.id);
    expect(body.status).toBe('void');
    expect(body.amount_due_minor).toBe(0);
    expect(body.ledger_entries.map((e: { kind: string }) => e.kind).sort()).toEqual([
      'invoice_issued',
      'invoice_voided',
    ]);
    const net = netByAccount(body.ledger_entries);
    expect(Object.keys(net).length).toBeGreaterThan(1);
    expect(Object.values(net).every((n) => n === 0)).toBe(true);
    expect(body.void.state).toBe('succeeded');
    expect(body.void.effects.map((e: { effect: string; state: string }) => [e.effect, e.state])).toEqual([
      ['payment_attempt_cancelled', 'done'],
      ['erp_invoice_voided', 'done'],
      ['tax_document_voided', 'done'],
      ['ledger_entry_reversed', 'done'],
      ['crm_write_back', 'done'],
    ]);

    // The deal's trace shows the void job and each compensation in its downstream run.
    const trace = await readJson(await h!.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    const voidJob = trace.jobs.find((j: { dedupe_key: string }) => j.dedupe_key === `void-invoice:${invoice.id}`);
    expect(voidJob?.state).toBe('succeeded');
    const undone = trace.jobs.flatMap((j: { steps: { step: string; status: string }[] }) =>
      j.steps.filter((s) => s.step.startsWith('compensate:')).map((s) => `${s.step}:${s.status}`),
    );
    expect(undone.sort()).toEqual([
      'compensate:erp-invoice:done',
      'compensate:finalize:done',
      'compensate:payment:done',
      'compensate:tax:done',
    ]);
    // The CRM learnt the invoice is void.
    const writeBacks = await h!.db.select().from(jobs).where(eq(jobs.orgId, h!.orgId));
    expect(writeBacks.some((j) => j.dedupeKey.includes(`${invoice.id}:void:`) && j.state === 'succeeded')).toBe(true);

    // Voiding twice: 409 naming the state, nothing changes.
    const again = await h!.api(`/api/v1/invoices/${invoice.id}/void`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await readJson(again)).detail).toMatch(/that is void/);
    await h!.settle();
    expect((await detail(invoice.id)).ledger_entries).toHaveLength(2);
  });

  it('a paid invoice: 409 naming the state and pointing to a credit note; nothing changes', async () => {
    h = await startHarness();
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    expect(invoice!.status).toBe('paid');
    const jobsBefore = (await h.db.select().from(jobs)).length;

    const res = await h.api(`/api/v1/invoices/${invoice!.id}/void`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect((await readJson(res)).detail).toMatch(/that is paid.*credit note/);
    await h.settle();
    const body = await detail(invoice!.id);
    expect(body.status).toBe('paid');
    expect(body.void).toBeNull();
    expect(body.ledger_entries.map((e: { kind: string }) => e.kind)).not.toContain('invoice_voided');
    expect((await h.db.select().from(jobs)).length).toBe(jobsBefore);
    expect(vendorsOf(h, invoice!.number!).tax?.status).toBe('Committed');
    expect((await h.api('/api/v1/invoices/inv_nope/void', { method: 'POST' })).status).toBe(404);
  });

  it('a draft voids at once with nothing downstream; its finalize job queued before stops', async () => {
    h = await startHarness();
    expect((await h.api('/api/v1/billing-settings', json('PUT', { finalize_policy: 'approval' }))).status).toBe(200);
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    const [draft] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    expect(draft!.status).toBe('draft');
    // Approved, then voided before the finalize job ran.
    expect((await h.api(`/api/v1/invoices/${draft!.id}/approve`, { method: 'POST' })).status).toBe(202);

    const res = await h.api(`/api/v1/invoices/${draft!.id}/void`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await readJson(res)).toMatchObject({ status: 'void', number: null });
    await h.settle();

    const body = await detail(draft!.id);
    expect(body.status).toBe('void');
    expect(body.number).toBeNull();
    expect(body.void).toBeNull();
    expect(body.ledger_entries).toEqual([]);
    const finalize = body.timeline.find((t: { flow: string }) => t.flow === 'finalize-invoice');
    expect(finalize.state).toBe('succeeded');
    expect(finalize.steps.map((s: { step: string }) => s.step)).toEqual(['stopped']);
    expect(h.sims.avalara.state.count(SANDBOX_AVALARA_COMPANY)).toBe(0);
    expect(h.sims.stripe.state.paymentIntents.size).toBe(0);
    expect(h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(0);
  });

  it('collection and ERP jobs still queued when the invoice is voided never reach the vendor', async () => {
    h = await startHarness();
    // Stripe and QuickBooks are down: collection and ERP posting wait out a backoff.
    h.sims.stripe.faults.always('/v1/', { kind: 'status', status: 500 }, 'POST');
    h.sims.quickbooks.faults.always('/v3/company/', { kind: 'status', status: 500 }, 'POST');
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    expect(invoice!.status).toBe('finalized');
    const waiting = (await h.db.select().from(jobs)).filter((j) => j.state === 'queued').map((j) => j.dedupeKey);
    expect(waiting).toContain(`collect-payment:${invoice!.id}`);
    expect(waiting).toContain(`post-invoice-to-erp:${invoice!.id}`);

    expect((await h.api(`/api/v1/invoices/${invoice!.id}/void`, { method: 'POST' })).status).toBe(202);
    await h.settle();
    // The vendors are back and the backoff is over: the queued jobs run, see the void and stop.
    h.sims.stripe.faults.clear();
    h.sims.quickbooks.faults.clear();
    h.clock.advance(2 * 3_600_000);
    await h.settle();

    expect(h.sims.stripe.state.paymentIntents.size).toBe(0);
    expect(h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(0);
    expect(vendorsOf(h, invoice!.number!).tax?.status).toBe('Cancelled');
    const body = await detail(invoice!.id);
    expect(body.void.state).toBe('succeeded');
    for (const flow of ['collect-payment', 'post-invoice-to-erp']) {
      const t = body.timeline.find((j: { flow: string }) => j.flow === flow);
      // Its failed first try stays on record; the next one stopped at the gate.
      expect({ flow, state: t.state, last: t.steps.at(-1).step }).toEqual({
        flow,
        state: 'succeeded',
        last: 'stopped',
      });
    }
  });

  it('a crash in the middle of the void, then a restart: every effect undone once', async () => {
    let crashed = false;
    const crashOnce = {
      afterExternalWrite: (flow: string, step: string) => {
        if (!crashed && flow === 'post-invoice-to-erp' && step === 'compensate:erp-invoice') {
          crashed = true;
          throw new SimulatedCrash('after the QuickBooks void, before its commit');
        }
      },
    };
    const { invoice } = await finalizedUnpaid({ hooks: crashOnce });
    expect((await h!.api(`/api/v1/invoices/${invoice.id}/void`, { method: 'POST' })).status).toBe(202);
    await h!.settle().catch((error) => {
      if (!/after the QuickBooks void/.test(String(error))) throw error;
    });
    expect(crashed).toBe(true);
    // The cancel committed before the crash; the ERP void's outcome is unknown.
    const undo = await h!.db
      .select({ step: flowSteps.step, status: flowSteps.status, flow: flowRuns.flow })
      .from(flowSteps)
      .innerJoin(flowRuns, eq(flowRuns.id, flowSteps.runId))
      .where(eq(flowSteps.orgId, h!.orgId));
    expect(
      undo
        .filter((s) => s.step.startsWith('compensate:'))
        .map((s) => `${s.step}:${s.status}`)
        .sort(),
    ).toEqual(['compensate:erp-invoice:started', 'compensate:payment:done']);

    await h!.restart();
    h!.clock.advance(6 * 60_000);
    await h!.settle();

    const body = await detail(invoice.id);
    expect(body.void.state).toBe('succeeded');
    expect(body.void.effects.every((e: { state: string }) => e.state === 'done')).toBe(true);
    expect(body.ledger_entries.map((e: { kind: string }) => e.kind).sort()).toEqual([
      'invoice_issued',
      'invoice_voided',
    ]);
    const after = vendorsOf(h!, invoice.number!);
    // Voided once at QuickBooks (one SyncToken bump, one "Voided" note), once at Avalara, cancelled once.
    expect(after.erp).toMatchObject({ TotalAmt: 0, SyncToken: '1' });
    expect(after.erp?.PrivateNote).not.toMatch(/Voided Voided/);
    expect(after.tax?.status).toBe('Cancelled');
    expect(after.intents.map((i) => i.status)).toEqual(['canceled']);
    const notDone = (await h!.db.select().from(jobs)).filter((j) => j.state !== 'succeeded');
    expect(notDone.map((j) => `${j.dedupeKey}: ${j.state} ${j.lastError ?? ''}`)).toEqual([]);
  });

  it('a payment that succeeded before the cancel: the void is undone, the job is dead saying "credit note (refund)"', async () => {
    const { invoice } = await finalizedUnpaid();
    const [intent] = vendorsOf(h!, invoice.number!).intents;
    // The customer pays on the hosted page; its webhook has not reached the hub yet.
    expect((await confirmAtStripe(intent!.id)).status).toBe(200);

    expect((await h!.api(`/api/v1/invoices/${invoice.id}/void`, { method: 'POST' })).status).toBe(202);
    await h!.driver.drain();
    const [voiding] = await h!.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.orgId, h!.orgId), eq(jobs.dedupeKey, `void-invoice:${invoice.id}`)));
    expect(voiding!.state).toBe('dead');
    expect(voiding!.lastError).toMatch(/already succeeded.*credit note \(refund\)/);
    expect(voiding!.lastError).toMatch(/finalized again/);
    await h!.settle();

    // Nothing was undone and the payment recorded: the invoice is paid and consistent everywhere.
    const body = await detail(invoice.id);
    expect(body.status).toBe('paid');
    expect(body.payments.map((p: { status: string }) => p.status)).toEqual(['succeeded']);
    expect(body.ledger_entries.map((e: { kind: string }) => e.kind)).not.toContain('invoice_voided');
    expect(body.void).toMatchObject({ state: 'dead' });
    expect(body.void.last_error).toMatch(/credit note \(refund\)/);
    expect(body.void.effects.find((e: { effect: string }) => e.effect === 'payment_attempt_cancelled')).toMatchObject({
      state: 'failed',
    });
    const after = vendorsOf(h!, invoice.number!);
    expect(after.tax?.status).toBe('Committed');
    expect(after.erp?.PrivateNote ?? '').not.toMatch(/Voided/);
    expect(after.intents.map((i) => i.status)).toEqual(['succeeded']);
  });

  it('a tax_pending invoice whose tax call crashed unrecorded: the committed document is found and voided', async () => {
    let crashed = false;
    const crashOnce = {
      afterExternalWrite: (flow: string, step: string) => {
        if (!crashed && flow === 'finalize-invoice' && step === 'tax') {
          crashed = true;
          throw new SimulatedCrash('after the tax commit, before its record');
        }
      },
    };
    h = await startHarness({ hooks: crashOnce });
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle().catch((error) => {
      if (!/after the tax commit/.test(String(error))) throw error;
    });
    const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    expect(invoice!.status).toBe('tax_pending');
    expect(vendorsOf(h, invoice!.number!).tax?.status).toBe('Committed');

    const res = await h.api(`/api/v1/invoices/${invoice!.id}/void`, { method: 'POST' });
    expect(res.status).toBe(202);
    await h.restart();
    // Leases of the crashed process expire; the jobs waiting on each other take their turns.
    for (let i = 0; i < 5; i++) {
      h.clock.advance(6 * 60_000);
      await h.settle();
    }

    expect(vendorsOf(h, invoice!.number!).tax?.status).toBe('Cancelled');
    const body = await detail(invoice!.id);
    expect(body.status).toBe('void');
    expect(body.void.state).toBe('succeeded');
    expect(body.ledger_entries).toEqual([]);
    const finalize = body.timeline.find((t: { flow: string }) => t.flow === 'finalize-invoice');
    expect({ state: finalize.state, last: finalize.steps.at(-1).step }).toEqual({
      state: 'succeeded',
      last: 'stopped',
    });
    expect(h.sims.stripe.state.paymentIntents.size).toBe(0);
    expect(h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(0);
  });
});
