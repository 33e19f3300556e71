import { describe, expect, it } from 'vitest';
import type { Db } from '../db/client.js';
import { ManualClock } from '../domain/clock.js';
import { type ConsumerDeps, consumeJobBatch, type JobMessage, sweepDueJobs } from './cloudflare-driver.js';
import type { QueueMessageBatch } from './types.js';

/** A database that fails any use: the bounded paths below must not reach it. */
const untouchable = new Proxy({} as Db, {
  get() {
    throw new Error('the database was used');
  },
});

function batchOf(ids: string[]) {
  const acked: string[] = [];
  const retried: string[] = [];
  const batch: QueueMessageBatch<unknown> = {
    queue: 'hub-jobs',
    messages: ids.map((jobId) => ({
      id: `msg-${jobId}`,
      timestamp: new Date(),
      attempts: 1,
      body: { jobId },
      ack: () => acked.push(jobId),
      retry: () => retried.push(jobId),
    })),
  } as unknown as QueueMessageBatch<unknown>;
  return { batch, acked, retried };
}

describe('the Cloudflare consumer within one invocation’s D1 budget', () => {
  it('sends the messages it has no budget for again and acks them, spending no delivery attempt', async () => {
    const sent: JobMessage[] = [];
    const deps = {
      db: untouchable,
      clock: new ManualClock(),
      process: { db: untouchable, clock: new ManualClock(), handlers: {} },
      queue: { send: async (body: JobMessage) => void sent.push(body), sendBatch: async () => {} },
    } as unknown as ConsumerDeps;
    const { batch, acked, retried } = batchOf(['job_a', 'job_b']);
    const summary = await consumeJobBatch(batch, deps, { mayContinue: () => false });
    expect(summary).toMatchObject({ ran: 0, deferred: 2 });
    expect(sent.map((m) => m.jobId)).toEqual(['job_a', 'job_b']);
    expect(acked).toEqual(['job_a', 'job_b']);
    expect(retried).toEqual([]);
  });

  it('the cron sweep claims nothing once the budget says no', async () => {
    const deps = {
      db: untouchable,
      clock: new ManualClock(),
      process: { db: untouchable, clock: new ManualClock(), handlers: {} },
    };
    expect(await sweepDueJobs(deps, { mayContinue: () => false })).toBe(0);
  });
});
