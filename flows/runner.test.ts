/** The runner and compensation on a made-up flow (better-sqlite3 in memory, no vendors). */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdapterSet } from '../adapters/ports.js';
import type { Db } from '../src/db/client.js';
import { ensureRun } from '../src/db/repos/flow-runs.js';
import { flowRuns, flowSteps } from '../src/db/schema.js';
import { ManualClock } from '../src/domain/clock.js';
import { ok, permanent } from '../src/domain/outcome.js';
import type { JobRow } from '../src/jobs/types.js';
import { openSqlite } from '../src/runtime/sqlite.js';
import { compensateFlow } from './compensate.js';
import { defineFlow } from './define.js';
import { runFlow } from './runner.js';
import type { FlowDeps, StepSpec } from './types.js';

const ORG = 'org_test';
let db: Db;
let close: () => void;
let deps: FlowDeps;
/** What the made-up vendor was asked to do, in order. */
let calls: string[];
/** Idempotency keys the steps were given, by stored name. */
let keys: Record<string, string>;
let failUndo: string | null;

beforeEach(() => {
  const sqlite = openSqlite(':memory:');
  db = sqlite.db;
  close = sqlite.close;
  deps = {
    db,
    clock: new ManualClock('2026-03-01T00:00:00Z'),
    driver: { notify: async () => {} },
    adaptersFor: async () => ok({} as AdapterSet),
  };
  calls = [];
  keys = {};
  failUndo = null;
});
afterEach(() => close());

interface Input {
  amount: number;
}

const job = (subjectId = 'subject-1'): JobRow =>
  ({
    id: `job_${subjectId}`,
    orgId: ORG,
    payload: JSON.stringify({ flow: 'sample', subjectId, input: { amount: 120 } }),
    correlationId: `sample:${subjectId}`,
  }) as JobRow;

/** A charge the made-up vendor can refund: shared by the flows below. */
const createCharge: StepSpec<Input, object, 'createCharge', { chargeId: string; amount: number }> = {
  name: 'createCharge',
  storedAs: 'charge',
  external: true,
  run: async (ctx) => {
    keys.charge = await ctx.key('charge', 'c1');
    calls.push(`charge ${ctx.input.amount}`);
    return ok({ output: { chargeId: 'ch_1', amount: ctx.input.amount } });
  },
  compensate: async (ctx, output) => {
    keys['compensate:charge'] = await ctx.key('charge', 'c1');
    if (failUndo === 'charge') return permanent('refund refused');
    calls.push(`refund ${output.chargeId}`);
    return ok({ output: { refunded: output.chargeId } });
  },
};

/** Three steps: the first and last can be undone, the middle one cannot. */
const sample = defineFlow<Input>('sample', ({ input }) => `vendor-${input.amount}`)
  .step(createCharge)
  .step({
    name: 'noteCharge',
    storedAs: 'note',
    external: false,
    // Typed by the step before it: no cast, and a misspelt name does not compile.
    run: async (ctx) => ok({ output: `charged ${ctx.outputs.createCharge.chargeId}` }),
  })
  .step({
    name: 'sendReceipt',
    storedAs: 'receipt',
    external: true,
    run: async (ctx) => {
      calls.push(`receipt for ${ctx.outputs.noteCharge}`);
      return ok({ output: { receiptId: 'rc_1' } });
    },
    compensate: async (ctx, output) => {
      calls.push(`void ${output.receiptId} of ${ctx.outputs.createCharge.chargeId}`);
      return ok({ output: null });
    },
  })
  .build();

const stepRows = async () =>
  (await db.select().from(flowSteps).where(eq(flowSteps.orgId, ORG))).map((s) => ({
    step: s.step,
    status: s.status,
    output: s.output ? JSON.parse(s.output) : null,
  }));

describe('typed, named steps', () => {
  it('stores each output under the stored name and hands it on under the step name', async () => {
    expect(await runFlow(sample, deps, job())).toEqual({ ok: true, value: undefined });
    expect(calls).toEqual(['charge 120', 'receipt for charged ch_1']);
    expect(await stepRows()).toEqual([
      { step: 'charge', status: 'done', output: { chargeId: 'ch_1', amount: 120 } },
      { step: 'note', status: 'done', output: 'charged ch_1' },
      { step: 'receipt', status: 'done', output: { receiptId: 'rc_1' } },
    ]);
  });

  it('finds the finished steps of a run stored before steps had TS names, and runs only the rest', async () => {
    // As an existing database has it: the first step done under its stored name.
    const runId = await ensureRun(db, ORG, { flow: 'sample', subjectId: 'old', jobId: 'job_old' }, '2026-02-01');
    await db.insert(flowSteps).values({
      id: 'stp_old',
      orgId: ORG,
      runId,
      step: 'charge',
      status: 'done',
      output: JSON.stringify({ chargeId: 'ch_old', amount: 99 }),
      attempts: 1,
      updatedAt: '2026-02-01',
    });
    expect((await runFlow(sample, deps, job('old'))).ok).toBe(true);
    expect(calls).toEqual(['receipt for charged ch_old']);
  });

  it('keeps the failure message naming the stored step', async () => {
    const failing = defineFlow<Input>('failing', () => 'v')
      .step({ name: 'tryIt', storedAs: 'try', external: false, run: async () => permanent('no') })
      .build();
    expect(await runFlow(failing, deps, job())).toMatchObject({ ok: false, reason: 'failing › try: no' });
  });

  it('refuses two steps with one stored name', () => {
    const twice = defineFlow<Input>('twice', () => 'v')
      .step({ name: 'first', storedAs: 'same', external: false, run: async () => ok({ output: 1 }) })
      .step({ name: 'second', storedAs: 'same', external: false, run: async () => ok({ output: 2 }) });
    expect(() => twice.build()).toThrow('two steps with storedAs "same"');
  });

  it('types a step by the steps before it only', () => {
    defineFlow<Input>('typed', () => 'v').step({
      name: 'early',
      storedAs: 'early',
      external: false,
      // @ts-expect-error: no step before this one is called "later"
      run: async (ctx) => ok({ output: ctx.outputs.later }),
    });
  });

  it('derives the connection key from what the flow is given', () => {
    expect(sample.connectionKey({ adapters: {} as AdapterSet, input: { amount: 7 } })).toBe('vendor-7');
  });
});

describe('compensateFlow', () => {
  it('undoes the finished steps that declare a compensation, newest first', async () => {
    await runFlow(sample, deps, job());
    calls = [];
    expect(await compensateFlow(sample, deps, job())).toEqual({ ok: true, value: undefined });
    expect(calls).toEqual(['void rc_1 of ch_1', 'refund ch_1']);
    const rows = await stepRows();
    expect(rows.filter((r) => r.step.startsWith('compensate:'))).toEqual([
      { step: 'compensate:receipt', status: 'done', output: null },
      { step: 'compensate:charge', status: 'done', output: { refunded: 'ch_1' } },
    ]);
    // Its own idempotency key: a refund is not mistaken for the charge at the vendor.
    expect(keys['compensate:charge']).toMatch(/^hub-[0-9a-f]{40}$/);
    expect(keys['compensate:charge']).not.toBe(keys.charge);
  });

  it('undoes nothing twice, and leaves the run state as it was', async () => {
    await runFlow(sample, deps, job());
    await compensateFlow(sample, deps, job());
    calls = [];
    expect((await compensateFlow(sample, deps, job())).ok).toBe(true);
    expect(calls).toEqual([]);
    const [run] = await db
      .select()
      .from(flowRuns)
      .where(and(eq(flowRuns.orgId, ORG), eq(flowRuns.flow, 'sample')));
    expect(run?.state).toBe('succeeded');
  });

  it('skips the steps that never finished', async () => {
    const halfway = defineFlow<Input>('sample', () => 'v')
      .step(createCharge)
      .step({ name: 'stop', storedAs: 'note', external: false, run: async () => permanent('stopped') })
      .build();
    await runFlow(halfway, deps, job());
    calls = [];
    await compensateFlow(sample, deps, job());
    expect(calls).toEqual(['refund ch_1']);
  });

  it('stops at a failing compensation and resumes there on the next call', async () => {
    await runFlow(sample, deps, job());
    calls = [];
    failUndo = 'charge';
    expect(await compensateFlow(sample, deps, job())).toMatchObject({
      ok: false,
      kind: 'permanent',
      reason: 'sample › compensate:charge: refund refused',
    });
    expect(calls).toEqual(['void rc_1 of ch_1']);
    failUndo = null;
    calls = [];
    expect((await compensateFlow(sample, deps, job())).ok).toBe(true);
    expect(calls).toEqual(['refund ch_1']);
  });

  it('has nothing to undo for a job that never ran', async () => {
    expect(await compensateFlow(sample, deps, job('never'))).toEqual({ ok: true, value: undefined });
    expect(await stepRows()).toEqual([]);
  });
});
