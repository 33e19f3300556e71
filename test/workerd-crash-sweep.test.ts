/**
 * The crash sweep on workerd (issue #16): the worker under Miniflare, its isolate killed at a
 * seeded point around a vendor write or a local commit of a scenario (the deal to cash path, a
 * billing run, an amendment, a credit note), then workerd disposed and started again on the same
 * D1 file (test/support/workerd-crash.ts). The queue drains on the cron handler alone (Miniflare's
 * queue is lost with the instance; on Workers the lease is the safety net, expiring on the
 * injected clock), and the verdict is read off the simulators and the books, against the same
 * scenario run once without a crash: no duplicate at any vendor, nothing lost, every ledger entry
 * balanced, every job succeeded or dead with a reason.
 *
 * Bounded and seeded: CRASH_SWEEP_WORKERD_POINTS points (default 20) spread evenly over every
 * scenario's points, offset by CRASH_SWEEP_SEED; `npm run crash-sweep` runs more. It prints
 * `crash-sweep workerd: <points> points, <duplicates> duplicates, <lost> lost`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutcomes, expectCleanReferences } from './support/crash-verdict.js';
import {
  type CrashOutcome,
  type CrashRun,
  type CrashWorld,
  outcome,
  type Snapshot,
  startCrashWorld,
} from './support/workerd-crash.js';

const TOTAL_POINTS = Number(process.env.CRASH_SWEEP_WORKERD_POINTS ?? 20);
const SEED = Number(process.env.CRASH_SWEEP_SEED ?? 16);

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

interface Scenario {
  name: string;
  /** From a fresh org to where the scenario starts, without crashes; answers notes for act. */
  prepare(run: CrashRun): Promise<Record<string, unknown>>;
  /** What the scenario does; crash points are counted from here on. */
  act(run: CrashRun): Promise<void>;
}

async function closeDeal(run: CrashRun): Promise<{ opportunityId: string; lineItemIds: string[] }> {
  const seeded = run.world.sims.salesforce.seedClosedWonOpportunity();
  const ack = await run.deliverOutboundMessage(run.world.sims.salesforce.outboundMessageFor(seeded.opportunityId));
  expect(ack.status).toBe(200);
  return seeded;
}

async function closeDealAndSettle(run: CrashRun) {
  // Drafts finalize as soon as the finalize sweep sees them, so every invoice goes the whole way.
  expect((await run.api('/api/v1/billing-settings', json('PUT', { grace_seconds: 0 }))).status).toBe(200);
  const seeded = await closeDeal(run);
  await run.drain();
  return seeded;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'deal to cash',
    prepare: async () => ({}),
    act: async (run) => {
      await closeDeal(run);
    },
  },
  {
    name: 'billing run',
    prepare: async (run) => {
      await closeDealAndSettle(run);
      run.world.clock.set('2026-04-02T09:01:00Z');
      return {};
    },
    act: async (run) => {
      expect((await run.api('/api/v1/billing-runs', json('POST', {}))).status).toBe(202);
    },
  },
  {
    name: 'amendment',
    prepare: async (run) => {
      const seeded = await closeDealAndSettle(run);
      // Two weeks in, the seats go from 25 to 30.
      run.world.clock.set('2026-03-16T10:01:00Z');
      run.world.sims.salesforce.state.store.update('OpportunityLineItem', seeded.lineItemIds[1]!, { Quantity: 30 });
      return { opportunityId: seeded.opportunityId };
    },
    act: async (run) => {
      const xml = run.world.sims.salesforce.outboundMessageFor(run.notes.opportunityId as string);
      expect((await run.deliverOutboundMessage(xml)).status).toBe(200);
    },
  },
  {
    // A paid invoice credited in full and refunded: tax return, QuickBooks credit memo, Stripe refund.
    name: 'credit note',
    prepare: async (run) => {
      await closeDealAndSettle(run);
      return {};
    },
    act: async (run) => {
      const listed = (await (await run.api('/api/v1/invoices')).json()) as { data: { id: string }[] };
      const asked = await run.api(
        `/api/v1/invoices/${listed.data[0]!.id}/credit-notes`,
        json('POST', { reason: 'duplicate' }),
      );
      expect(asked.status).toBe(202);
    },
  },
];

let world: CrashWorld;
const prepared = new Map<string, Snapshot>();
const references = new Map<string, { points: number; outcome: CrashOutcome }>();

/** A scenario from its prepared snapshot, the isolate armed to die at point `at` (0: the reference run). */
async function runScenario(scenario: Scenario, at: number, hard = false) {
  const t0 = Date.now();
  const lap = (what: string) => process.env.CRASH_SWEEP_VERBOSE && console.log(`${what} +${Date.now() - t0} ms`);
  const run = await world.from(prepared.get(scenario.name)!, at, { hard });
  lap('started');
  try {
    await run.syncClock();
    await scenario.act(run).catch((error: unknown) => {
      // The act's own request may be what the dying isolate refused.
      if (!String(error).includes('503')) throw error;
    });
    lap('acted');
    const died = await run.settleUntilDead();
    lap('settled');
    const { seen, deaths } = await run.state();
    const where = deaths[0] ?? null;
    await run.drain();
    lap('drained');
    return { died, seen, where, outcome: await outcome(run) };
  } finally {
    await run.close();
  }
}

beforeAll(async () => {
  world = await startCrashWorld();
  for (const scenario of SCENARIOS) {
    const run = await world.fresh();
    const notes = await scenario.prepare(run);
    prepared.set(scenario.name, await run.snapshot(notes));
    const reference = await runScenario(scenario, 0);
    expect(reference.died).toBe(false);
    references.set(scenario.name, { points: reference.seen, outcome: reference.outcome });
  }
}, 600_000);

afterAll(async () => {
  await world?.close();
});

interface Point {
  scenario: string;
  at: number;
}

/** Points spread evenly over every scenario's points, shifted by a seeded offset. */
function choosePoints(): Point[] {
  const all: Point[] = SCENARIOS.flatMap((s) =>
    Array.from({ length: references.get(s.name)!.points }, (_, i) => ({ scenario: s.name, at: i + 1 })),
  );
  if (all.length <= TOTAL_POINTS) return all;
  const [offset] = fc.sample(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { numRuns: 1, seed: SEED });
  const step = all.length / TOTAL_POINTS;
  return Array.from({ length: TOTAL_POINTS }, (_, i) => all[Math.floor((i + offset!) * step)]!);
}

describe('crash sweep on workerd: the isolate killed around every vendor write and local commit', () => {
  it('has a reference run for every scenario, each with crash points, that ends clean', () => {
    expectCleanReferences(
      references,
      SCENARIOS.map((s) => s.name),
    );
  });

  it('kills the isolate at every chosen point: nothing duplicated, nothing lost', async () => {
    const totals = { points: 0, duplicates: 0, lost: 0 };
    const failures: string[] = [];
    for (const [i, point] of choosePoints().entries()) {
      const scenario = SCENARIOS.find((s) => s.name === point.scenario)!;
      const reference = references.get(point.scenario)!.outcome;
      // Every third death disposes workerd itself (its queue lost); after the others the next event starts a new life.
      const hard = i % 3 === 2;
      const got = await runScenario(scenario, point.at, hard);
      const { duplicates, lost } = compareOutcomes(reference, got.outcome);
      totals.points += 1;
      totals.duplicates += duplicates;
      totals.lost += lost;
      const label = `${point.scenario} (${hard ? 'workerd disposed' : 'new isolate'}) at ${got.where ?? `point ${point.at} (not reached)`}`;
      if (process.env.CRASH_SWEEP_VERBOSE) console.log(label);
      if (!got.died) failures.push(`${label}: the isolate did not die`);
      if (duplicates + lost > 0) {
        failures.push(
          `${label}: ${duplicates} duplicates, ${lost} lost: ${JSON.stringify({ reference, got: got.outcome })}`,
        );
      }
      if (got.outcome.unbalanced.length > 0) failures.push(`${label}: unbalanced ${got.outcome.unbalanced}`);
      if (got.outcome.unfinished.length > 0) failures.push(`${label}: unfinished ${got.outcome.unfinished}`);
    }
    console.log(`crash-sweep workerd: ${totals.points} points, ${totals.duplicates} duplicates, ${totals.lost} lost`);
    expect(failures).toEqual([]);
    expect(totals.points).toBe(
      Math.min(
        TOTAL_POINTS,
        [...references.values()].reduce((n, r) => n + r.points, 0),
      ),
    );
  }, 1_800_000);
});
