/**
 * The Node driver once started: notified jobs are claimed as their connection has room, so a
 * backlog on one connection does not hold back another's jobs; a connection never runs more than
 * its concurrency; a job waiting on another runs again as soon as that one has run (the clock
 * never moves here, so without the wake it would wait its whole delay).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomic } from '../db/atomic.js';
import type { Db } from '../db/client.js';
import { findJobById } from '../db/repos/jobs.js';
import { ManualClock } from '../domain/clock.js';
import { ok, waitingOn } from '../domain/outcome.js';
import { openSqlite } from '../runtime/sqlite.js';
import { NodeJobDriver } from './node-driver.js';
import { enqueueStatement } from './queue.js';
import type { JobHandler } from './types.js';

let db: Db;
let close: () => void;
let driver: NodeJobDriver | undefined;
const clock = new ManualClock('2026-05-01T00:00:00Z');

beforeEach(() => {
  ({ db, close } = openSqlite(':memory:'));
});
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
  close();
});

/** Lets pending promises and I/O callbacks run until `done` holds (no wall-clock sleep). */
async function until(done: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 5_000; i++) {
    if (await done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}

async function enqueue(kind: string, key: string, connectionKey: string): Promise<string> {
  const job = enqueueStatement(db, clock, {
    orgId: 'org_a',
    kind,
    payload: {},
    dedupeKey: key,
    correlationId: 'c',
    connectionKey,
  });
  await atomic(db, [job.statement]);
  return job.id;
}

function start(handlers: Record<string, JobHandler>, concurrency = 2) {
  driver = new NodeJobDriver({
    db,
    clock,
    process: { db, clock, handlers },
    pollIntervalMs: 3_600_000,
    perConnection: { concurrency, intervalCap: Number.POSITIVE_INFINITY, intervalMs: 0 },
  });
  driver.start();
  return driver;
}

describe('NodeJobDriver, started', () => {
  it("runs a connection's jobs past another connection's backlog, within each connection's concurrency", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let running = 0;
    let most = 0;
    let fastRan = false;
    const d = start({
      slow: async () => {
        running += 1;
        most = Math.max(most, running);
        await gate;
        running -= 1;
        return ok(undefined);
      },
      fast: async () => {
        fastRan = true;
        return ok(undefined);
      },
    });
    const slow: string[] = [];
    for (let i = 0; i < 30; i++) slow.push(await enqueue('slow', `slow-${i}`, 'tax'));
    const fast = await enqueue('fast', 'fast', 'erp');
    await d.notify([...slow, fast]);
    await until(() => fastRan && running === 2);
    expect((await findJobById(db, slow[29]!))?.state).toBe('queued');
    release();
    await until(async () => (await findJobById(db, slow[29]!))?.state === 'succeeded');
    expect(most).toBe(2);
  });

  it('runs a job that waits on another again as soon as that one has run', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = await enqueue('first', 'first', 'erp');
    let waiterRuns = 0;
    const d = start({
      first: async () => {
        await gate;
        return ok(undefined);
      },
      waiter: async () => {
        waiterRuns += 1;
        const awaited = await findJobById(db, first);
        return awaited?.state === 'succeeded' ? ok(undefined) : waitingOn('the first job', first, 60 * 60_000);
      },
    });
    const waiter = await enqueue('waiter', 'waiter', 'payments');
    await d.notify([first, waiter]);
    await until(async () => (await findJobById(db, waiter))?.lastError !== null);
    expect((await findJobById(db, waiter))?.state).toBe('queued');
    release();
    await until(async () => (await findJobById(db, waiter))?.state === 'succeeded');
    expect(waiterRuns).toBe(2);
  });
});
