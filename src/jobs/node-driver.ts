/**
 * The Node job driver: polls the job table, claims due jobs atomically and runs them through
 * p-queue — one queue per vendor connection, so each connection gets its own concurrency and
 * request-rate limit and a slow vendor cannot starve the others.
 */
import PQueue from 'p-queue';
import type { Db } from '../db/client.js';
import type { Clock } from '../domain/clock.js';
import { type ProcessDeps, processJob } from './process.js';
import { claimDueJobs, DEFAULT_LEASE_MS, reclaimLeasesOfGoneProcesses } from './queue.js';
import type { JobDriver, JobRow } from './types.js';

export interface NodeDriverOptions {
  db: Db;
  clock: Clock;
  process: ProcessDeps;
  /** Jobs claimed per poll. */
  batchSize?: number;
  pollIntervalMs?: number;
  /**
   * This process's name in the leases it takes, and how to tell that another lease holder has died
   * (src/runtime/lease-owner.ts); with both, start() hands back the jobs of dead processes at once.
   */
  leases?: { owner: string; isGone: (owner: string) => boolean };
  /** Per-connection limits (defaults suit the strictest vendor here: QuickBooks' 10 req/s). */
  perConnection?: { concurrency: number; intervalCap: number; intervalMs: number };
}

export class NodeJobDriver implements JobDriver {
  private readonly queues = new Map<string, PQueue>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticking = false;
  private wakeRequested = false;

  constructor(private readonly options: NodeDriverOptions) {}

  private queueFor(connectionKey: string | null): PQueue {
    const key = connectionKey ?? 'default';
    let queue = this.queues.get(key);
    if (!queue) {
      const limits = this.options.perConnection ?? { concurrency: 4, intervalCap: 10, intervalMs: 1000 };
      queue = new PQueue({
        concurrency: limits.concurrency,
        intervalCap: limits.intervalCap,
        interval: limits.intervalMs,
      });
      this.queues.set(key, queue);
    }
    return queue;
  }

  /** Claims and runs every due job, repeating until none is due. Returns how many ran. */
  async drain(maxRounds = 1000): Promise<number> {
    let ran = 0;
    for (let round = 0; round < maxRounds; round++) {
      const claimed: JobRow[] = await claimDueJobs(
        this.options.db,
        this.options.clock,
        this.options.batchSize ?? 16,
        DEFAULT_LEASE_MS,
        this.options.leases?.owner ?? null,
      );
      if (claimed.length === 0) break;
      await Promise.all(
        claimed.map((job) => this.queueFor(job.connectionKey).add(() => processJob(this.options.process, job))),
      );
      ran += claimed.length;
    }
    return ran;
  }

  async notify(): Promise<void> {
    // Jobs enqueued while running are picked up by the drain loop; between ticks, wake one up.
    if (this.timer) this.wake();
  }

  private wake(): void {
    if (this.ticking) {
      this.wakeRequested = true;
      return;
    }
    this.ticking = true;
    this.drain()
      .catch((error) => console.error('[jobs] drain failed', error))
      .finally(() => {
        this.ticking = false;
        if (this.wakeRequested) {
          this.wakeRequested = false;
          this.wake();
        }
      });
  }

  /** Hands back the running jobs of lease holders that are gone (a crashed earlier run of the hub). */
  async reclaimDeadLeases(): Promise<JobRow[]> {
    const leases = this.options.leases;
    if (!leases) return [];
    return reclaimLeasesOfGoneProcesses(
      this.options.db,
      this.options.clock,
      (o) => o !== leases.owner && leases.isGone(o),
    );
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 1000);
    this.reclaimDeadLeases()
      .then((released) => {
        if (released.length > 0) console.log(`[jobs] resumed ${released.length} job(s) of a process that is gone`);
      })
      .catch((error) => console.error('[jobs] lease reclaim failed', error))
      .finally(() => this.wake());
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.queues.values()].map((q) => q.onIdle()));
  }
}
