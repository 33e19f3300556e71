/**
 * Dunning walked on the manual clock: a declined automatic collection retries on days 1, 3, 5
 * and 7 after the due date (one job each, each with a reminder in the outbox), then the invoice
 * is overdue and the org's final action (here: mark the contract at risk) has run. The charges
 * are counted at the simulated Stripe.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { atomic } from '../src/db/atomic.js';
import { dunningSettingsUpsert } from '../src/db/repos/dunning.js';
import { contracts, invoices, jobs, notifications } from '../src/db/schema.js';
import { addDays } from '../src/domain/dates.js';
import { configureConnection, type Harness, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('dunning', () => {
  it('retries on days 1, 3, 5, 7 after the due date, then marks the invoice overdue and the contract at risk', async () => {
    h = await startHarness();
    await atomic(h.db, [
      dunningSettingsUpsert(
        h.db,
        h.orgId,
        { retryDays: [1, 3, 5, 7], finalAction: 'mark_at_risk' },
        h.clock.now().toISOString(),
      ),
    ]);
    await configureConnection(h, 'stripe', 'testPaymentMethod', 'pm_card_chargeDeclined');
    const seeded = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId));
    await h.settle();
    const [invoice] = await h.db.select().from(invoices);
    expect(invoice!.status).toBe('finalized');
    const attemptsAtStripe = () => h!.sims.stripe.state.paymentIntents.size;
    expect(attemptsAtStripe()).toBe(1);
    const dunningJobs = async () =>
      (await h!.db.select().from(jobs)).filter((j) => j.dedupeKey.startsWith('dunning-retry:')).length;
    expect(await dunningJobs()).toBe(1);

    // The day before the first retry nothing runs.
    h.clock.set(`${invoice!.dueDate}T12:00:00Z`);
    await h.settle();
    expect(attemptsAtStripe()).toBe(1);

    for (const [i, day] of [1, 3, 5, 7].entries()) {
      h.clock.set(`${addDays(invoice!.dueDate, day)}T00:30:00Z`);
      await h.settle();
      expect(attemptsAtStripe()).toBe(2 + i);
      const [now] = await h.db.select().from(invoices).where(eq(invoices.id, invoice!.id));
      expect(now!.status).toBe(day === 7 ? 'overdue' : 'finalized');
    }
    // One retry job per day, no more; a reminder per retry but the last, which says overdue.
    expect(await dunningJobs()).toBe(4);
    const sent = await h.db.select().from(notifications).where(eq(notifications.invoiceId, invoice!.id));
    expect(sent.map((n) => n.kind).sort()).toEqual(['overdue', 'reminder', 'reminder', 'reminder']);
    expect(sent.find((n) => n.kind === 'overdue')!.subject).toBe(`Invoice ${invoice!.number} is overdue`);
    const [contract] = await h.db.select().from(contracts).where(eq(contracts.id, invoice!.contractId));
    expect(contract!.collectionStatus).toBe('at_risk');

    // Nothing runs again later: the schedule has ended.
    h.clock.set(`${addDays(invoice!.dueDate, 30)}T00:00:00Z`);
    await h.settle();
    expect(attemptsAtStripe()).toBe(5);
  });
});
