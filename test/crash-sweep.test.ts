/**
 * The crash sweep (in-process): the hub "dies" (SimulatedCrash: the process's in-flight work lost,
 * leases left held) at one point of a scenario — after a vendor write and before its commit, or
 * just before or after a local commit (a flow step, a finished run, a billing run's invoices) —
 * sometimes a second time after the restart; then it restarts, does what a restarted Node hub
 * does within minutes (the lease runs out; the billing, finalize and payment-reconcile schedules
 * run), drains, and the verdict is read off the simulated vendors and the books, against the same
 * scenario run once without a crash: no duplicate object at any vendor, no invoice, payment or
 * ledger entry lost or doubled, every entry balanced, every job succeeded or dead with a reason.
 *
 * SCENARIOS is the table: the deal-to-cash path, a billing run of the next period, an amendment
 * of the deal (its credit note and prorated charge carried through), and a credit note refunding
 * a paid invoice. A new flow is one more entry: how to reach its start, and the act.
 *
 * Seeded and bounded: CRASH_SWEEP_POINTS points (default 100): single crashes spread evenly over
 * every scenario's points, and seeded double crashes; `npm run crash-sweep` runs 1,000, every single
 * point of every scenario and the rest doubles. It prints
 * `crash-sweep: <points> points, <duplicates> duplicates, <lost> lost`.
 * Not covered here: workerd isolates. A real child process is killed in test/crash-process.test.ts.
 */
import { and, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runScheduledBilling } from '../flows/billing-run/jobs.js';
import { runFinalizeSweep } from '../flows/finalize-sweep.js';
import type { FlowHooks } from '../flows/index.js';
import { reconcilePayments } from '../flows/payment-reconcile.js';
import { invoices, jobs, ledgerEntries, ledgerLines, payments } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { compareOutcomes, expectCleanReferences, vendorCounts } from './support/crash-verdict.js';
import { type Harness, startHarness } from './support/harness.js';

const TOTAL_POINTS = Number(process.env.CRASH_SWEEP_POINTS ?? 100);
const SEED = Number(process.env.CRASH_SWEEP_SEED ?? 16);

interface Scenario {
  name: string;
  /** Brings a fresh hub to where the scenario starts; runs without crashes. */
  prepare(h: Harness): Promise<void>;
  /** What the scenario does; crash points are counted from here on. */
  act(h: Harness): Promise<void>;
}

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Seeded opportunity ids by harness: the amendment edits the deal `prepare` closed. */
const closedDeals = new WeakMap<Harness, { opportunityId: string; lineItemIds: string[] }>();

async function closeDeal(h: Harness): Promise<void> {
  const seeded = h.sims.salesforce.seedClosedWonOpportunity();
  closedDeals.set(h, seeded);
  const ack = await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId));
  expect(ack.status).toBe(200);
}

async function closeDealAndSettle(h: Harness): Promise<void> {
  // Drafts finalize as soon as the finalize sweep sees them, so every invoice goes the whole way.
  expect((await h.api('/api/v1/billing-settings', json('PUT', { grace_seconds: 0 }))).status).toBe(200);
  await closeDeal(h);
  await h.settle();
}

const SCENARIOS: Scenario[] = [
  { name: 'deal to cash', prepare: async () => {}, act: closeDeal },
  {
    name: 'billing run',
    prepare: async (h) => {
      await closeDealAndSettle(h);
      h.clock.set('2026-04-02T09:00:00Z');
    },
    act: async (h) => {
      expect((await h.api('/api/v1/billing-runs', json('POST', {}))).status).toBe(202);
    },
  },
  {
    name: 'amendment',
    prepare: async (h) => {
      await closeDealAndSettle(h);
      // Two weeks in, the seats go from 25 to 30.
      h.clock.set('2026-03-16T10:00:00Z');
      const { lineItemIds } = closedDeals.get(h)!;
      h.sims.salesforce.state.store.update('OpportunityLineItem', lineItemIds[1]!, { Quantity: 30 });
    },
    act: async (h) => {
      const { opportunityId } = closedDeals.get(h)!;
      const ack = await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
      expect(ack.status).toBe(200);
    },
  },
  {
    // A paid invoice credited in full and refunded: tax return, QuickBooks credit memo, Stripe refund.
    name: 'credit note',
    prepare: closeDealAndSettle,
    act: async (h) => {
      const listed = (await (await h.api('/api/v1/invoices')).json()) as { data: { id: string }[] };
      const asked = await h.api(
        `/api/v1/invoices/${listed.data[0]!.id}/credit-notes`,
        json('POST', { reason: 'duplicate' }),
      );
      expect(asked.status).toBe(202);
    },
  },
];

/** Counts crash points and, at the chosen one, dies. */
function crashAt(n: number) {
  let seen = 0;
  const state = { fired: false, seen: () => seen };
  const point = (where: string) => {
    seen += 1;
    if (seen === n) {
      state.fired = true;
      if (process.env.CRASH_SWEEP_VERBOSE) console.log(`crash at point ${n}: ${where}`);
      throw new SimulatedCrash(`at point ${n}: ${where}`);
    }
  };
  const hooks: FlowHooks = {
    afterExternalWrite: (flow, step) => point(`after the vendor write of ${flow} › ${step}`),
    beforeCommit: (flow, unit) => point(`before the commit of ${flow} › ${unit}`),
    afterCommit: (flow, unit) => point(`after the commit of ${flow} › ${unit}`),
  };
  return { hooks, state };
}

const isCrash = (error: unknown) =>
  error instanceof SimulatedCrash || /simulated crash|at point \d+/i.test(String(error));
const survive = async (work: Promise<unknown>) =>
  work.catch((error) => {
    if (!isCrash(error)) throw error;
  });

/** What a restarted Node hub does in its first minutes: the lease runs out, the schedules run. */
async function minutesPass(h: Harness): Promise<void> {
  h.clock.advance(6 * 60_000);
  await runScheduledBilling(h.hub.context);
  await runFinalizeSweep(h.hub.context);
  await reconcilePayments(h.hub.context);
  await h.settle();
}

/** What the vendors and the books hold: the verdict, compared with the crash-free run. */
async function outcome(h: Harness) {
  const vendors = vendorCounts(h.sims);
  const books: Record<string, number> = {};
  const add = (key: string) => {
    books[key] = (books[key] ?? 0) + 1;
  };
  for (const i of await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId))) {
    add(`invoice ${i.kind} ${i.status} ${i.totalMinor}`);
  }
  for (const p of await h.db.select().from(payments).where(eq(payments.orgId, h.orgId))) {
    add(`payment ${p.status} ${p.amountMinor}`);
  }
  for (const e of await h.db.select().from(ledgerEntries).where(eq(ledgerEntries.orgId, h.orgId))) {
    add(`ledger ${e.sourceType} ${e.kind}`);
  }
  const lines = await h.db.select().from(ledgerLines).where(eq(ledgerLines.orgId, h.orgId));
  const balance = new Map<string, number>();
  for (const l of lines) {
    const key = `${l.entryId} ${l.currency}`;
    balance.set(key, (balance.get(key) ?? 0) + l.debitMinor - l.creditMinor);
  }
  const unbalanced = [...balance].filter(([, net]) => net !== 0).map(([key]) => key);
  const allJobs = await h.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.orgId, h.orgId)));
  const unfinished = allJobs
    .filter((j) => !(j.state === 'succeeded' || (j.state === 'dead' && (j.lastError ?? '').length > 0)))
    .map((j) => `${j.dedupeKey}: ${j.state} ${j.lastError ?? ''}`);
  return { vendors, books, unbalanced, unfinished };
}

type Outcome = Awaited<ReturnType<typeof outcome>>;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Runs a scenario with crashes at `first` and, after the restart, at `second` more (0: none). */
async function runScenario(scenario: Scenario, first: number, second: number) {
  h = await startHarness();
  await scenario.prepare(h);
  const firstCrash = crashAt(first);
  await h.restart(firstCrash.hooks);
  await survive(scenario.act(h));
  await survive(h.settle());
  await survive(runFinalizeSweep(h.hub.context).then(() => h!.settle()));
  const crashes = [firstCrash.state];
  if (second > 0) {
    const again = crashAt(second);
    crashes.push(again.state);
    await h.restart(again.hooks);
    await survive(minutesPass(h));
  }
  await h.restart();
  await minutesPass(h);
  await minutesPass(h);
  return { outcome: await outcome(h), pointsSeen: firstCrash.state.seen(), fired: crashes.map((c) => c.fired) };
}

// The crash-free run of each scenario: how many crash points it has, and what it ends with.
const references = new Map<string, { points: number; outcome: Outcome }>();
for (const scenario of SCENARIOS) {
  const run = await runScenario(scenario, 0, 0);
  references.set(scenario.name, { points: run.pointsSeen, outcome: run.outcome });
  await h?.close();
  h = undefined;
}

interface Point {
  scenario: string;
  first: number;
  second: number;
}
const allSingles: Point[] = SCENARIOS.flatMap((s) =>
  Array.from({ length: references.get(s.name)!.points }, (_, i) => ({ scenario: s.name, first: i + 1, second: 0 })),
);
/** Double crashes: at least a few, the rest of the total when every single point fits in it. */
const DOUBLES = Math.max(8, TOTAL_POINTS - allSingles.length);
/** Every single point when the total allows (`npm run crash-sweep`), else a seeded, evenly spread subset. */
const singleBudget = Math.max(0, TOTAL_POINTS - DOUBLES);
const spread = (i: number) => Math.floor((i * singleBudget) / allSingles.length);
const singles =
  allSingles.length <= singleBudget ? allSingles : allSingles.filter((_, i) => spread(i) !== spread(i - 1));
const doubles: Point[] = fc.sample(
  fc
    .tuple(
      fc.constantFrom(...SCENARIOS.map((s) => s.name)),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 1, max: 12 }),
    )
    .map(([scenario, at, second]) => ({
      scenario,
      first: 1 + Math.min(references.get(scenario)!.points - 1, Math.floor(at * references.get(scenario)!.points)),
      second,
    })),
  { numRuns: DOUBLES, seed: SEED },
);
const points = [...singles, ...doubles];

const totals = { points: 0, duplicates: 0, lost: 0 };

describe('crash sweep over deal to cash, billing runs, amendments and credit notes', () => {
  it('has a reference run for every scenario, each with crash points, that ends clean', () => {
    expectCleanReferences(
      references,
      SCENARIOS.map((s) => s.name),
    );
  });

  it.each(points)(
    '$scenario: crash at point $first, then at $second more: nothing duplicated, nothing lost',
    async (point) => {
      const scenario = SCENARIOS.find((s) => s.name === point.scenario)!;
      const reference = references.get(point.scenario)!.outcome;
      const run = await runScenario(scenario, point.first, point.second);
      // The first crash really happened (the second may find less left to do than its number).
      expect(run.fired[0]).toBe(true);
      const { duplicates, lost } = compareOutcomes(reference, run.outcome);
      totals.points += 1;
      totals.duplicates += duplicates;
      totals.lost += lost;
      expect(run.outcome.vendors).toEqual(reference.vendors);
      expect(run.outcome.books).toEqual(reference.books);
      expect(run.outcome.unbalanced).toEqual([]);
      expect(run.outcome.unfinished).toEqual([]);
    },
  );

  it('reports the sweep', () => {
    console.log(`crash-sweep: ${totals.points} points, ${totals.duplicates} duplicates, ${totals.lost} lost`);
    expect(totals.points).toBe(points.length);
    expect(totals.duplicates + totals.lost).toBe(0);
  });
});
