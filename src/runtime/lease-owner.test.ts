/**
 * A restarted hub resumes the jobs of a process that died holding their lease, at once instead
 * of after the lease: the holder here is a real child process, killed with SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomic } from '../db/atomic.js';
import type { Db } from '../db/client.js';
import { ManualClock } from '../domain/clock.js';
import { NodeJobDriver } from '../jobs/node-driver.js';
import type { ProcessDeps } from '../jobs/process.js';
import { claimDueJobs, DEFAULT_LEASE_MS, enqueueStatement } from '../jobs/queue.js';
import { isLeaseOwnerGone, nodeLeaseOwner } from './lease-owner.js';
import { openSqlite } from './sqlite.js';

let db: Db;
let close: () => void;
const children: ChildProcess[] = [];
const clock = new ManualClock('2026-05-01T00:00:00Z');
const job = (dedupeKey: string) => ({ orgId: 'org_a', kind: 'flow', payload: {}, dedupeKey, correlationId: 'c' });

beforeEach(() => {
  ({ db, close } = openSqlite(':memory:'));
});
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  close();
});

async function startChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child;
}

/** A driver of "the restarted hub": never runs a job here, only reclaims. */
const restartedDriver = () =>
  new NodeJobDriver({
    db,
    clock,
    process: {} as ProcessDeps,
    leases: { owner: nodeLeaseOwner(), isGone: (owner) => isLeaseOwnerGone(owner) },
  });

describe('lease owners', () => {
  it('names this host and pid, and judges only this host’s dead processes gone', async () => {
    const child = await startChild();
    const owner = nodeLeaseOwner(child.pid!);
    expect(isLeaseOwnerGone(owner)).toBe(false);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isLeaseOwnerGone(owner)).toBe(true);
    expect(isLeaseOwnerGone(`node:another-host:${child.pid}`)).toBe(false);
    expect(isLeaseOwnerGone('not-an-owner')).toBe(false);
    expect(isLeaseOwnerGone(nodeLeaseOwner())).toBe(false);
  });

  it('hands back, due now, the running jobs of a killed process; a live holder keeps its lease', async () => {
    await atomic(db, [
      enqueueStatement(db, clock, job('of-the-dead')).statement,
      enqueueStatement(db, clock, job('of-the-living')).statement,
    ]);
    const dead = await startChild();
    const living = await startChild();
    const [first] = await claimDueJobs(db, clock, 1, DEFAULT_LEASE_MS, nodeLeaseOwner(dead.pid!));
    const [second] = await claimDueJobs(db, clock, 1, DEFAULT_LEASE_MS, nodeLeaseOwner(living.pid!));
    expect([first?.leaseOwner, second?.leaseOwner]).toEqual([nodeLeaseOwner(dead.pid!), nodeLeaseOwner(living.pid!)]);

    dead.kill('SIGKILL');
    await once(dead, 'exit');
    // The restart happens at once: the clock has not moved, the leases are far from expiry.
    const released = await restartedDriver().reclaimDeadLeases();
    expect(released.map((j) => j.id)).toEqual([first!.id]);
    const resumed = await claimDueJobs(db, clock, 10, DEFAULT_LEASE_MS, nodeLeaseOwner());
    expect(resumed.map((j) => [j.id, j.attempts])).toEqual([[first!.id, 2]]);

    // The living holder's job waits out its lease, as before.
    clock.advance(DEFAULT_LEASE_MS - 1);
    expect(await claimDueJobs(db, clock, 10)).toEqual([]);
    clock.advance(1);
    expect((await claimDueJobs(db, clock, 10)).map((j) => j.id)).toContain(second!.id);
  });

  it('never reclaims leases without an owner (Workers) or its own', async () => {
    await atomic(db, [
      enqueueStatement(db, clock, job('k')).statement,
      enqueueStatement(db, clock, job('j')).statement,
    ]);
    await claimDueJobs(db, clock, 1, DEFAULT_LEASE_MS, null);
    await claimDueJobs(db, clock, 1, DEFAULT_LEASE_MS, nodeLeaseOwner());
    expect(await restartedDriver().reclaimDeadLeases()).toEqual([]);
  });
});
