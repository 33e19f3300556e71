/**
 * The Cloudflare job driver. The job table (D1) is the source of truth; a Queue message only
 * says "job X may be due now". Three entry points:
 *
 * - `notify` (producer): one message per freshly committed job.
 * - `consumeJobBatch` (consumer of `hub-jobs`): claims each job by id, runs it, acks. A job the
 *   run rescheduled (retry with backoff) is re-sent with `delaySeconds` (capped at the Queues
 *   maximum of 12 h; the cron sweep covers anything longer or lost). Only infrastructure errors
 *   (the consumer threw) make a message retry; after `max_retries` it goes to `hub-jobs-dlq`.
 * - `consumeDeadLetters` (consumer of `hub-jobs-dlq`): marks the job dead with a readable reason
 *   unless it already finished.
 * - `sweepDueJobs` (cron): claims due jobs straight from the table and runs them.
 *
 * Duplicated messages are harmless: claiming is one atomic UPDATE … RETURNING, so a job that is
 * running under a live lease, finished, or not yet due is simply acknowledged. So is a job paused
 * because its connection is unhealthy: the reconnect (PUT /api/v1/connections/{vendor}) sends it again.
 */
import type { Db } from '../db/client.js';
import { markUnfinishedJobDead } from '../db/repos/job-queue.js';
import { findJobById } from '../db/repos/jobs.js';
import type { Clock } from '../domain/clock.js';
import { type ProcessDeps, processJob } from './process.js';
import { claimDueJobs, claimJob } from './queue.js';
import type { JobDriver, JobRow, QueueBinding, QueueMessageBatch } from './types.js';

export interface JobMessage {
  jobId: string;
}

/** Cloudflare Queues refuses delays above 12 hours. */
export const MAX_QUEUE_DELAY_SECONDS = 12 * 60 * 60;
/** Cloudflare Queues accepts at most 100 messages per sendBatch. */
const MAX_BATCH_MESSAGES = 100;

export interface CloudflareDriverOptions {
  queue: QueueBinding<JobMessage>;
  /**
   * When it returns a function (inside a fetch handler: `ctx.waitUntil`), sends are handed to it
   * and the caller does not wait; otherwise (queue consumer, cron) sends are awaited.
   */
  defer?: () => ((promise: Promise<unknown>) => void) | undefined;
}

export class CloudflareJobDriver implements JobDriver {
  constructor(private readonly options: CloudflareDriverOptions) {}

  async notify(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return;
    const sending = this.send(jobIds);
    const defer = this.options.defer?.();
    if (defer) defer(sending);
    else await sending;
  }

  private async send(jobIds: readonly string[]): Promise<void> {
    try {
      for (let i = 0; i < jobIds.length; i += MAX_BATCH_MESSAGES) {
        const chunk = jobIds.slice(i, i + MAX_BATCH_MESSAGES);
        await this.options.queue.sendBatch(chunk.map((jobId) => ({ body: { jobId } })));
      }
    } catch (error) {
      // The jobs are committed; a lost notification only delays them until the next cron sweep.
      console.error(`[jobs] queue notify failed for ${jobIds.length} job(s); the cron sweep will run them`, error);
    }
  }
}

export interface ConsumerDeps {
  db: Db;
  clock: Clock;
  process: ProcessDeps;
  queue: QueueBinding<JobMessage>;
}

/** Seconds until `nextAttemptAt`, at least 0 and at most the Queues maximum. */
export function queueDelaySeconds(nextAttemptAt: number, now: Date): number {
  const seconds = Math.ceil((nextAttemptAt - now.getTime()) / 1000);
  return Math.min(Math.max(seconds, 0), MAX_QUEUE_DELAY_SECONDS);
}

/** A job waiting for its backoff gets a delayed message for when it is due (or in 12 h). */
async function resendIfWaiting(deps: ConsumerDeps, job: JobRow | undefined): Promise<void> {
  if (job?.state !== 'queued') return;
  const now = deps.clock.now();
  if (job.nextAttemptAt <= now.getTime()) {
    await deps.queue.send({ jobId: job.id });
    return;
  }
  await deps.queue.send({ jobId: job.id }, { delaySeconds: queueDelaySeconds(job.nextAttemptAt, now) });
}

function isJobMessage(body: unknown): body is JobMessage {
  return typeof body === 'object' && body !== null && typeof (body as JobMessage).jobId === 'string';
}

export interface ConsumeSummary {
  ran: number;
  skipped: number;
  retried: number;
}

/**
 * Consumer of `hub-jobs`: claim by id, run, re-send if rescheduled, ack. With `mayContinue` (the
 * worker: D1 queries left in this invocation), once it says no, the batch's remaining messages are
 * sent again and acked instead of run: the next invocation runs them, with a budget of its own,
 * and no delivery attempt is spent (spent attempts end in the dead letter queue).
 */
export async function consumeJobBatch(
  batch: QueueMessageBatch<unknown>,
  deps: ConsumerDeps,
  options: { mayContinue?: () => boolean } = {},
): Promise<ConsumeSummary & { deferred: number }> {
  const summary = { ran: 0, skipped: 0, retried: 0, deferred: 0 };
  for (const message of batch.messages) {
    if (options.mayContinue && !options.mayContinue() && isJobMessage(message.body)) {
      await deps.queue.send({ jobId: message.body.jobId });
      message.ack();
      summary.deferred++;
      continue;
    }
    if (!isJobMessage(message.body)) {
      console.warn(`[jobs] dropping malformed message ${message.id} on ${batch.queue}`);
      message.ack();
      summary.skipped++;
      continue;
    }
    const { jobId } = message.body;
    try {
      const claimed = await claimJob(deps.db, deps.clock, jobId);
      if (!claimed) {
        // Not due yet (an early or duplicate message), running elsewhere, finished or unknown.
        const current = await findJobById(deps.db, jobId);
        if (current?.state === 'queued' && current.nextAttemptAt > deps.clock.now().getTime()) {
          await resendIfWaiting(deps, current);
        }
        message.ack();
        summary.skipped++;
        continue;
      }
      await processJob(deps.process, claimed);
      await resendIfWaiting(deps, await findJobById(deps.db, jobId));
      message.ack();
      summary.ran++;
    } catch (error) {
      // Infrastructure failure (D1 unavailable, a bug that escaped the handler): let Queues retry;
      // the job's lease expires and the cron sweep would also pick it up.
      console.error(`[jobs] consumer failed on job ${jobId} (delivery attempt ${message.attempts})`, error);
      message.retry({ delaySeconds: Math.min(2 ** message.attempts, 300) });
      summary.retried++;
    }
  }
  return summary;
}

/** Consumer of `hub-jobs-dlq`: a message Queues gave up on marks its job dead, if still open. */
export async function consumeDeadLetters(
  batch: QueueMessageBatch<unknown>,
  deps: Pick<ConsumerDeps, 'db' | 'clock'>,
): Promise<number> {
  let marked = 0;
  for (const message of batch.messages) {
    if (!isJobMessage(message.body)) {
      message.ack();
      continue;
    }
    const { jobId } = message.body;
    const current = await findJobById(deps.db, jobId);
    if (current && current.state !== 'succeeded' && current.state !== 'dead') {
      const previous = current.lastError ? `; last job error: ${current.lastError}` : '';
      const lastError = `queue delivery failed repeatedly (message ${message.id} moved to ${batch.queue})${previous}`;
      if (await markUnfinishedJobDead(deps.db, jobId, lastError, deps.clock.now().toISOString())) marked += 1;
    }
    message.ack();
  }
  return marked;
}

export interface SweepOptions {
  /** Jobs claimed per round. */
  batchSize?: number;
  /** Upper bound on rounds, so one cron invocation stays short. */
  maxRounds?: number;
  /** Asked before each round (the worker: D1 queries left in this invocation); no: the next cron goes on. */
  mayContinue?: () => boolean;
}

/** Cron: claims due jobs from the table and runs them, round after round until none is due. */
export async function sweepDueJobs(
  deps: Pick<ConsumerDeps, 'db' | 'clock' | 'process'>,
  options: SweepOptions = {},
): Promise<number> {
  let ran = 0;
  for (let round = 0; round < (options.maxRounds ?? 20); round++) {
    if (options.mayContinue && !options.mayContinue()) break;
    const claimed = await claimDueJobs(deps.db, deps.clock, options.batchSize ?? 10);
    if (claimed.length === 0) break;
    const results = await Promise.allSettled(claimed.map((job) => processJob(deps.process, job)));
    for (const [i, result] of results.entries()) {
      // The job stays running under its lease; a later sweep picks it up when the lease expires.
      if (result.status === 'rejected') console.error(`[jobs] sweep failed on job ${claimed[i]!.id}`, result.reason);
    }
    ran += claimed.length;
  }
  return ran;
}
