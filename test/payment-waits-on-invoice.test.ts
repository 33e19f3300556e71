/**
 * A payment waits on its invoice by dependency, not on a retry budget: with the invoice's ERP job
 * left running by a crashed process (its lease held for 5 minutes), the payment's ERP job keeps
 * waiting without spending attempts and posts once the invoice has — it is never dead-lettered
 * for having only waited. The restart here takes no lease reclaim, so the lease is waited out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { jobs } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { type Harness, ONE_OF_EACH, startHarness, vendorCounts } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('post-payment-to-erp waits on post-invoice-to-erp', () => {
  it('outlasts a 5-minute lease of a crashed invoice job in 30-second steps, then posts once', async () => {
    let crashed = false;
    h = await startHarness({
      hooks: {
        afterExternalWrite: (flow, step) => {
          if (!crashed && flow === 'post-invoice-to-erp' && step === 'erp-customer') {
            crashed = true;
            throw new SimulatedCrash(`after ${flow} › ${step}`);
          }
        },
      },
    });
    const seeded = h.sims.salesforce.seedClosedWonOpportunity();
    expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(
      200,
    );
    await expect(h.settle()).rejects.toThrow(/simulated crash/);
    await h.restart();

    // The old fixed budget (8 attempts, 30 s apart) was spent in about 210 s, before the lease ended.
    let sawWaiting = false;
    for (let elapsed = 0; elapsed <= 6 * 60_000; elapsed += 30_000) {
      await h.settle();
      const rows = await h.db.select().from(jobs);
      const payment = rows.find(
        (j) => j.kind.includes('post-payment-to-erp') || j.dedupeKey.startsWith('post-payment-to-erp'),
      );
      if (payment?.state === 'queued' && payment.lastError?.includes('waiting on')) {
        sawWaiting = true;
        expect(payment.attempts).toBe(0);
      }
      expect(rows.filter((j) => j.state === 'dead')).toEqual([]);
      h.clock.advance(30_000);
    }
    await h.settle();
    expect(sawWaiting).toBe(true);
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    const rows = await h.db.select().from(jobs);
    expect(rows.filter((j) => j.state !== 'succeeded').map((j) => `${j.dedupeKey}: ${j.state}`)).toEqual([]);
  });
});
