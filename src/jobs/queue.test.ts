import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomic } from '../db/atomic.js';
import type { Db } from '../db/client.js';
import { jobs } from '../db/schema.js';
import { ManualClock } from '../domain/clock.js';
import { permanent, quotaExhausted, retryable, waitingOn } from '../domain/outcome.js';
import { openSqlite } from '../runtime/sqlite.js';
import { claimDueJobs, claimJob, decideFailure, enqueueStatement, replayJob } from './queue.js';
import { retryDelayMs } from './retry.js';

let db: Db;
let close: () => void;
const clock = new ManualClock('2026-05-01T00:00:00Z');
const job = (dedupeKey: string) => ({ orgId: 'org_a', kind: 'flow', payload: {}, dedupeKey, correlationId: 'c' });

beforeEach(() => {
  ({ db, close } = openSqlite(':memory:'));
});
afterEach(() => close());

describe('job queue', () => {
  it('creates one job per (org, dedupe key), however often it is enqueued', async () => {
    await atomic(db, [enqueueStatement(db, clock, job('k')).statement]);
    await atomic(db, [
      enqueueStatement(db, clock, job('k')).statement,
      enqueueStatement(db, clock, job('k')).statement,
    ]);
    await atomic(db, [enqueueStatement(db, clock, { ...job('k'), orgId: 'org_b' }).statement]);
    expect(await db.select().from(jobs)).toHaveLength(2);
  });

  it('claims a due job once, and again only after its lease expires', async () => {
    await atomic(db, [enqueueStatement(db, clock, job('k')).statement]);
    const first = await claimDueJobs(db, clock, 10, 60_000);
    expect(first).toHaveLength(1);
    expect(first[0]!.attempts).toBe(1);
    expect(await claimDueJobs(db, clock, 10, 60_000)).toHaveLength(0);
    expect(await claimJob(db, clock, first[0]!.id)).toBeUndefined();
    clock.advance(60_000);
    const again = await claimDueJobs(db, clock, 10, 60_000);
    expect(again.map((j) => j.attempts)).toEqual([2]);
  });

  it('does not claim a job before its next attempt time', async () => {
    await atomic(db, [
      enqueueStatement(db, clock, { ...job('later'), runAt: new Date(clock.now().getTime() + 1000) }).statement,
    ]);
    expect(await claimDueJobs(db, clock, 10)).toHaveLength(0);
    clock.advance(1000);
    expect(await claimDueJobs(db, clock, 10)).toHaveLength(1);
  });

  it('replays only dead jobs of the caller org', async () => {
    await atomic(db, [enqueueStatement(db, clock, job('k')).statement]);
    const [row] = await db.select().from(jobs);
    expect(await replayJob(db, clock, 'org_a', row!.id)).toBeUndefined(); // queued, not dead
    await db.update(jobs).set({ state: 'dead', attempts: 8 }).where(eq(jobs.id, row!.id));
    expect(await replayJob(db, clock, 'org_b', row!.id)).toBeUndefined();
    const replayed = await replayJob(db, clock, 'org_a', row!.id);
    expect(replayed?.state).toBe('queued');
    expect(replayed?.attempts).toBe(0);
    expect(await replayJob(db, clock, 'org_a', row!.id)).toBeUndefined();
  });
});

describe('failure decisions', () => {
  const row = (attempts: number, maxAttempts = 5) =>
    ({ attempts, maxAttempts }) as unknown as Parameters<typeof decideFailure>[0];
  const now = new Date('2026-05-01T00:00:00Z');
  const fixed = { baseDelayMs: 1000, maxDelayMs: 60_000, random: () => 0 };

  it('sends permanent failures straight to the dead letters', () => {
    const d = decideFailure(row(1), permanent('mapping failed'), now, fixed);
    expect(d.state).toBe('dead');
    expect(d.lastError).toBe('permanent: mapping failed');
  });

  it('waits on a live dependency without spending an attempt, even at the last one', () => {
    const row = { attempts: 8, maxAttempts: 8 } as Parameters<typeof decideFailure>[0];
    const decision = decideFailure(row, waitingOn('invoice not in the ERP yet', 'job_invoice', 30_000), clock.now());
    expect(decision).toEqual({
      state: 'queued',
      nextAttemptAt: clock.now().getTime() + 30_000,
      lastError: 'waiting on job_invoice: invoice not in the ERP yet',
      attempts: 7,
    });
  });

  it('parks a job whose vendor quota window is spent until it reopens, spending no attempt', () => {
    const row = { attempts: 8, maxAttempts: 8 } as Parameters<typeof decideFailure>[0];
    const decision = decideFailure(row, quotaExhausted('Xero daily limit', 3_600_000), clock.now());
    expect(decision).toEqual({
      state: 'queued',
      nextAttemptAt: clock.now().getTime() + 3_600_000,
      lastError: "parked until the vendor's quota window reopens: Xero daily limit",
      attempts: 7,
    });
  });

  it('gives up after max attempts with the last reason', () => {
    const d = decideFailure(row(5), retryable('HTTP 500'), now, fixed);
    expect(d.state).toBe('dead');
    expect(d.lastError).toBe('gave up after 5 attempts; last error retryable: HTTP 500');
  });

  it('backs off exponentially with jitter, capped', () => {
    const half = { ...fixed, random: () => 0.5 };
    expect(retryDelayMs(1, retryable('x'), fixed)).toBe(500);
    expect(retryDelayMs(1, retryable('x'), half)).toBe(750);
    expect(retryDelayMs(3, retryable('x'), fixed)).toBe(2000);
    expect(retryDelayMs(30, retryable('x'), fixed)).toBe(30_000);
    expect(retryDelayMs(30, retryable('x'), { ...fixed, random: () => 0.999999 })).toBeLessThanOrEqual(60_000);
  });

  it('waits exactly as long as Retry-After asks', () => {
    expect(retryDelayMs(1, retryable('429', 7000), fixed)).toBe(7000);
    expect(retryDelayMs(10, retryable('429', 7000), fixed)).toBe(7000);
    const d = decideFailure(row(1), retryable('429', 7000), now, fixed);
    expect(d).toEqual({ state: 'queued', nextAttemptAt: now.getTime() + 7000, lastError: 'retryable: 429' });
  });
});
