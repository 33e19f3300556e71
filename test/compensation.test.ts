/**
 * The declared undos (flows/undo.ts) run through compensateFlow against the simulators: a
 * finalized invoice's tax document is voided at Avalara and its ledger entry reversed, once
 * however often the compensation runs; a payment that already succeeded is not "cancelled".
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { collectPayment } from '../flows/collect-payment.js';
import { finalizeInvoice } from '../flows/finalize-invoice.js';
import { compensateFlow, type FlowDeps } from '../flows/index.js';
import { findJobByDedupeKey } from '../src/db/repos/jobs.js';
import { invoices, ledgerEntries } from '../src/db/schema.js';
import { SANDBOX_AVALARA_COMPANY } from '../src/runtime/simulators.js';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('compensating finished steps', () => {
  it('voids the tax document and reverses the ledger entry once; a settled payment is refused', async () => {
    h = await startHarness();
    const seeded = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId));
    await h.settle();
    const [invoice] = await h.db.select().from(invoices);
    const deps: FlowDeps = {
      db: h.db,
      clock: h.clock,
      driver: h.driver,
      adaptersFor: (o) => h!.hub.context.adaptersFor(o),
    };
    const finalizeJob = (await findJobByDedupeKey(h.db, h.orgId, `finalize-invoice:${invoice!.id}`))!;

    for (let i = 0; i < 2; i++) expect((await compensateFlow(finalizeInvoice, deps, finalizeJob)).ok).toBe(true);

    const doc = h.sims.avalara.state.find(SANDBOX_AVALARA_COMPANY, invoice!.number!);
    expect(doc?.status).toBe('Cancelled');
    const entries = await h.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.orgId, h.orgId), eq(ledgerEntries.sourceId, invoice!.id)));
    expect(entries.map((e) => e.kind).sort()).toEqual(['invoice_issued', 'invoice_voided']);

    const collectJob = (await findJobByDedupeKey(h.db, h.orgId, `collect-payment:${invoice!.id}`))!;
    const refused = await compensateFlow(collectPayment, deps, collectJob);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.reason).toMatch(/already succeeded/);
    expect([...h.sims.stripe.state.paymentIntents.values()][0]!.status).toBe('succeeded');
  });
});
