/**
 * The Node job driver: claims due jobs atomically and runs them through p-queue — one queue per
 * vendor connection, so each connection gets its own concurrency and request-rate limit and a
 * slow vendor cannot starve the others.
 *
 * Once started, it runs as a pump rather than in rounds:
 * - Jobs it is notified of (committed by this process) are sorted by connection and claimed by
 *   id as their connection has a free slot, so every connection's queue stays busy: a backlog of
 *   10,000 finalize jobs at the head of the table no longer holds back the payment and ERP jobs
 *   they enqueue, and a finished job's slot is refilled at once instead of after a whole batch.
 * - A scan of the table (due jobs, earliest first, at most `batchSize` in flight at a time) picks
 *   up everything else: retries whose backoff ended, other processes' jobs, leases that expired.
 *   It runs on every poll tick, and whenever no notified job is waiting.
 * - A job that waits on another job (Failure.waitsOn) runs again as soon as that job has run here,
 *   instead of after its wait.
 * Claims stay one UPDATE … RETURNING under a lease, so a job never runs twice at once; a
 * connection claims notified jobs once it has a free slot, as many as fill its slots and one more
 * queue's worth waiting behind them (one claim serves several jobs), so no lease runs out in a
 * local queue. `drain()` (tests, scripts) claims and runs round by round until none is due.
 */
import PQueue from 'p-queue';
import type { Db } from '../db/client.js';
import { connectionKeysOf, findJobById } from '../db/repos/jobs.js';
import type { Clock } from '../domain/clock.js';
import type { Outcome } from '../domain/outcome.js';
import { type ProcessDeps, processJob } from './process.js';
import {
  claimDueJobs,
  claimJobsByIds,
  DEFAULT_LEASE_MS,
  makeWaitingJobDue,
  reclaimLeasesOfGoneProcesses,
} from './queue.js';
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

const DEFAULT_LIMITS = { concurrency: 4, intervalCap: 10, intervalMs: 1000 };
/** Ids per lookup or claim statement. */
const IDS_PER_STATEMENT = 50;
/**
 * After a scan that found nothing, the next scan asked for only because nothing notified waits
 * (every finished job asks) runs this much later at the earliest, instead of once per finished
 * job: in-process work arrives notified, and the empty scans were a tenth of the invoice
 * pipeline's database time (bench/invoice-pipeline.ts). Poll ticks still scan at once.
 */
const IDLE_SCAN_GAP_MS = 25;

const keyOf = (connectionKey: string | null) => connectionKey ?? 'default';

export class NodeJobDriver implements JobDriver {
  private readonly queues = new Map<string, PQueue>();
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Notified job ids not yet sorted by connection. */
  private unsorted: string[] = [];
  /** Notified job ids by connection key, oldest first, not yet claimed. */
  private readonly notified = new Map<string, string[]>();
  /** Claimed jobs not yet finished, by connection key. */
  private readonly claimedCount = new Map<string, number>();
  /** Jobs claimed by the scan and not yet finished. */
  private scanned = 0;
  private scanRequested = true;
  /** performance.now() of the last scan that claimed nothing; a retry of the idle scan is timed from it. */
  private emptyScanAt = Number.NEGATIVE_INFINITY;
  private idleScanTimer: ReturnType<typeof setTimeout> | undefined;
  /** Jobs waiting on another job, by the id of the job they wait on. */
  private readonly waiters = new Map<string, JobRow[]>();
  private pumping = false;
  private pumpRequested = false;

  constructor(private readonly options: NodeDriverOptions) {}

  private get limits() {
    return this.options.perConnection ?? DEFAULT_LIMITS;
  }

  private queueFor(connectionKey: string | null): PQueue {
    const key = keyOf(connectionKey);
    let queue = this.queues.get(key);
    if (!queue) {
      const limits = this.limits;
      queue = new PQueue({
        concurrency: limits.concurrency,
        intervalCap: limits.intervalCap,
        interval: limits.intervalMs,
      });
      this.queues.set(key, queue);
    }
    return queue;
  }

  private claim(limit: number): Promise<JobRow[]> {
    return claimDueJobs(
      this.options.db,
      this.options.clock,
      limit,
      DEFAULT_LEASE_MS,
      this.options.leases?.owner ?? null,
    );
  }

  /** Claims and runs every due job, repeating until none is due. Returns how many ran. */
  async drain(maxRounds = 1000): Promise<number> {
    let ran = 0;
    for (let round = 0; round < maxRounds; round++) {
      const claimed = await this.claim(this.options.batchSize ?? 16);
      if (claimed.length === 0) break;
      await Promise.all(
        claimed.map((job) => this.queueFor(job.connectionKey).add(() => processJob(this.options.process, job))),
      );
      ran += claimed.length;
    }
    return ran;
  }

  async notify(jobIds: readonly string[]): Promise<void> {
    if (!this.timer) return;
    this.unsorted.push(...jobIds);
    this.pump();
  }

  /** Runs fill() now, or once more right after the one in progress. */
  private pump(): void {
    if (this.pumping) {
      this.pumpRequested = true;
      return;
    }
    this.pumping = true;
    this.fill()
      .catch((error) => console.error('[jobs] claim failed', error))
      .finally(() => {
        this.pumping = false;
        if (this.pumpRequested && this.timer) {
          this.pumpRequested = false;
          this.pump();
        }
      });
  }

  /** Claims what the connections have room for: notified jobs first, then the scan. */
  private async fill(): Promise<void> {
    await this.sortNotified();
    const { concurrency } = this.limits;
    for (const [key, ids] of this.notified) {
      while (this.timer && ids.length > 0) {
        // Claimed in batches: once a connection has a free slot, claim enough for it and one
        // more queue's worth waiting behind it, so a claim (a commit) serves several jobs.
        const held = this.claimedCount.get(key) ?? 0;
        if (held >= concurrency) break;
        const room = 2 * concurrency - held;
        const claimed = await claimJobsByIds(
          this.options.db,
          this.options.clock,
          ids.splice(0, Math.min(room, IDS_PER_STATEMENT)),
          DEFAULT_LEASE_MS,
          this.options.leases?.owner ?? null,
        );
        // Ids that did not claim (not due yet, paused, taken or done) are the scan's business.
        for (const job of claimed) this.run(job, false);
      }
      if (ids.length === 0) this.notified.delete(key);
    }
    const idle = this.notified.size === 0;
    if (this.timer && this.scanned === 0 && (idle || this.scanRequested)) {
      const wait = this.emptyScanAt + IDLE_SCAN_GAP_MS - performance.now();
      if (!this.scanRequested && wait > 0) {
        this.scanSoon(wait);
        return;
      }
      this.scanRequested = false;
      const claimed = await this.claim(this.options.batchSize ?? 16);
      this.emptyScanAt = claimed.length === 0 ? performance.now() : Number.NEGATIVE_INFINITY;
      for (const job of claimed) this.run(job, true);
    }
  }

  /** An idle scan put off by IDLE_SCAN_GAP_MS runs when the gap ends (once, however often asked). */
  private scanSoon(waitMs: number): void {
    if (this.idleScanTimer) return;
    this.idleScanTimer = setTimeout(() => {
      this.idleScanTimer = undefined;
      this.pump();
    }, Math.ceil(waitMs));
  }

  /** Files notified ids under their connection key (one lookup per 50 ids). */
  private async sortNotified(): Promise<void> {
    while (this.unsorted.length > 0) {
      const ids = this.unsorted.splice(0, IDS_PER_STATEMENT);
      for (const row of await connectionKeysOf(this.options.db, ids)) {
        const key = keyOf(row.connectionKey);
        const list = this.notified.get(key);
        if (list) list.push(row.id);
        else this.notified.set(key, [row.id]);
      }
    }
  }

  private run(job: JobRow, byScan: boolean): void {
    const key = keyOf(job.connectionKey);
    this.claimedCount.set(key, (this.claimedCount.get(key) ?? 0) + 1);
    if (byScan) this.scanned += 1;
    this.queueFor(job.connectionKey)
      .add(() => processJob(this.options.process, job))
      .then((result) => this.afterRun(job, result as Outcome<unknown>))
      .catch((error) => console.error(`[jobs] job ${job.id} failed outside its handler`, error))
      .finally(() => {
        this.claimedCount.set(key, (this.claimedCount.get(key) ?? 1) - 1);
        if (byScan) this.scanned -= 1;
        this.pump();
      });
  }

  /** Wakes the jobs that waited on this one; files this one under the job it now waits on. */
  private async afterRun(job: JobRow, result: Outcome<unknown>): Promise<void> {
    const waiting = this.waiters.get(job.id);
    if (waiting) {
      this.waiters.delete(job.id);
      for (const waiter of waiting) await this.runAgainNow(waiter);
    }
    if (result.ok || result.kind !== 'retryable' || !result.waitsOn) return;
    const awaited = await findJobById(this.options.db, result.waitsOn);
    // It may have finished while this job was deciding to wait: then there is nothing to wait for.
    if (awaited?.state === 'queued' || awaited?.state === 'running') {
      const list = this.waiters.get(awaited.id);
      if (list) list.push(job);
      else this.waiters.set(awaited.id, [job]);
      return;
    }
    await this.runAgainNow(job);
  }

  private async runAgainNow(job: JobRow): Promise<void> {
    if (await makeWaitingJobDue(this.options.db, this.options.clock, job)) this.unsorted.push(job.id);
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
    this.timer = setInterval(() => {
      this.scanRequested = true;
      this.pump();
    }, this.options.pollIntervalMs ?? 1000);
    this.reclaimDeadLeases()
      .then((released) => {
        if (released.length > 0) console.log(`[jobs] resumed ${released.length} job(s) of a process that is gone`);
      })
      .catch((error) => console.error('[jobs] lease reclaim failed', error))
      .finally(() => this.pump());
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.idleScanTimer) clearTimeout(this.idleScanTimer);
    this.idleScanTimer = undefined;
    this.unsorted = [];
    this.notified.clear();
    this.waiters.clear();
    await Promise.all([...this.queues.values()].map((q) => q.onIdle()));
  }
}
