/**
 * The crash sweep (in-process): the hub "dies" (SimulatedCrash, the process's in-flight work lost,
 * leases left held) after the n-th vendor write of the deal-to-cash path and before its commit —
 * sometimes a second time after the restart — then restarts, waits out the lease, drains, and the
 * verdict is read off the simulated vendors: no duplicate object anywhere, nothing lost (one of
 * everything, invoice paid), every job succeeded.
 *
 * Seeded and bounded: by default each crash point once plus a few seeded double crashes; set
 * CRASH_SWEEP_POINTS (and CRASH_SWEEP_SEED) for a longer sweep. It prints
 * `crash-sweep: <points> points, <duplicates> duplicates, <lost> lost`.
 * Killing a real child process is test/crash-process.test.ts. Not covered yet: workerd isolates,
 * billing runs, amendments and credit notes (see issue #16).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { jobs } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { type Harness, ONE_OF_EACH, readJson, startHarness, vendorCounts } from './support/harness.js';

/** Vendor writes on the deal-to-cash path with one line item pair (tax, Stripe ×2, QuickBooks ×4, CRM). */
const WRITES_ON_PATH = 8;
const EXTRA = process.env.CRASH_SWEEP_POINTS ? Number(process.env.CRASH_SWEEP_POINTS) : 4;
const SEED = Number(process.env.CRASH_SWEEP_SEED ?? 16);

interface Point {
  /** Crash after this many vendor writes (1-based). */
  first: number;
  /** After the restart, crash again after this many more (0 = no second crash). */
  second: number;
}

const points: Point[] = [
  ...Array.from({ length: WRITES_ON_PATH }, (_, i) => ({ first: i + 1, second: 0 })),
  ...fc.sample(
    fc.record({ first: fc.integer({ min: 1, max: WRITES_ON_PATH }), second: fc.integer({ min: 1, max: 3 }) }),
    { numRuns: EXTRA, seed: SEED },
  ),
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const totals = { points: 0, duplicates: 0, lost: 0 };

/** Crashes after the n-th vendor write; `fired` says whether the path got that far. */
function crashAfter(n: number) {
  let seen = 0;
  const hooks = {
    fired: false,
    afterExternalWrite: (flow: string, step: string) => {
      seen += 1;
      if (seen === n) {
        hooks.fired = true;
        throw new SimulatedCrash(`after write ${n}: ${flow} › ${step}`);
      }
    },
  };
  return hooks;
}

async function runPoint(point: Point) {
  const firstCrash = crashAfter(point.first);
  h = await startHarness({ hooks: firstCrash });
  const seeded = h.sims.salesforce.seedClosedWonOpportunity();
  expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(200);
  await h.settle().catch((error) => {
    if (!(error instanceof SimulatedCrash) && !/simulated crash/i.test(String(error))) throw error;
  });
  // Every point is on the path: the crash really happened.
  expect(firstCrash.fired).toBe(true);
  for (const crash of point.second > 0 ? [point.second, 0] : [0]) {
    await h.restart(crash > 0 ? crashAfter(crash) : undefined);
    h.clock.advance(6 * 60_000);
    await h.settle().catch((error) => {
      if (!/simulated crash/i.test(String(error))) throw error;
    });
  }
  h.clock.advance(6 * 60_000);
  await h.settle();

  const counts = vendorCounts(h.sims);
  const key = Object.keys(ONE_OF_EACH) as (keyof typeof ONE_OF_EACH)[];
  totals.points += 1;
  totals.duplicates += key.reduce((n, k) => n + Math.max(0, counts[k] - ONE_OF_EACH[k]), 0);
  totals.lost += key.reduce((n, k) => n + Math.max(0, ONE_OF_EACH[k] - counts[k]), 0);
  expect(counts).toEqual(ONE_OF_EACH);
  const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${seeded.opportunityId}/trace`));
  expect(trace.invoices[0].status).toBe('paid');
  const notDone = (await h.db.select().from(jobs)).filter((j) => j.state !== 'succeeded');
  expect(notDone.map((j) => `${j.dedupeKey}: ${j.state} ${j.lastError ?? ''}`)).toEqual([]);
}

describe('crash sweep over the deal-to-cash path', () => {
  it.each(points)('crash after write $first, then after $second more: nothing duplicated, nothing lost', runPoint);

  it('reports the sweep', () => {
    console.log(`crash-sweep: ${totals.points} points, ${totals.duplicates} duplicates, ${totals.lost} lost`);
    expect(totals.points).toBe(points.length);
    expect(totals.duplicates + totals.lost).toBe(0);
  });
});
