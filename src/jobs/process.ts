/**
 * Runs one claimed job and records its fate: succeeded, rescheduled with backoff, dead, or
 * paused because its connection needs a reconnect (src/domain/reconnect.ts).
 */

import { atomic } from '../db/atomic.js';
import type { Db, Statement } from '../db/client.js';
import { findConnection, markConnectionUnhealthyStatement } from '../db/repos/connections.js';
import type { Clock } from '../domain/clock.js';
import { type Failure, type Outcome, permanent } from '../domain/outcome.js';
import { flaggedReconnect, type ReconnectCheck } from '../domain/reconnect.js';
import { completeJobStatement, decideFailure, failJobStatement, pauseJobStatement } from './queue.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import type { JobHandler, JobRow } from './types.js';
import { WEBHOOK_DELIVERY_JOB_KIND, webhookEventStatements } from './webhooks-out.js';

export interface ProcessDeps {
  db: Db;
  clock: Clock;
  handlers: Readonly<Record<string, JobHandler>>;
  retryPolicy?: RetryPolicy;
  /**
   * Which failures need a reconnect, and of which vendor: the vendor modules' answer
   * (adapters/registry.ts), handed in by the composition root. Without it, the flag alone counts.
   */
  needsReconnect?: ReconnectCheck;
}

/**
 * What a handler returns (as its value) when it committed the job's success itself, with its own
 * last write (flows/runner.ts): processJob then has nothing left to write.
 */
export const JOB_COMPLETED = Symbol('job completed by its handler');

export async function processJob(deps: ProcessDeps, job: JobRow): Promise<Outcome<unknown>> {
  const handler = deps.handlers[job.kind];
  let result: Outcome<unknown>;
  if (!handler) {
    result = permanent(`no handler for job kind "${job.kind}"`);
  } else {
    try {
      result = await handler(job);
    } catch (error) {
      // A simulated crash must leave the job exactly as a dead process would: running, leased.
      if (error instanceof Error && error.name === 'SimulatedCrash') throw error;
      result = permanent(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (result.ok) {
    if (result.value !== JOB_COMPLETED) await atomic(deps.db, [completeJobStatement(deps.db, deps.clock, job)]);
  } else {
    await atomic(deps.db, await failureStatements(deps, job, result));
  }
  return result;
}

/**
 * A failure that needs a reconnect marks the connection unhealthy and, when it is the job's own
 * connection, parks the job without spending an attempt (it runs again after the reconnect).
 * Everything else, and a job whose org has no such connection, follows the retry policy.
 */
async function failureStatements(deps: ProcessDeps, job: JobRow, failure: Failure): Promise<Statement[]> {
  const now = deps.clock.now();
  const decision = decideFailure(job, failure, now, deps.retryPolicy ?? DEFAULT_RETRY_POLICY);
  const decide = () => failJobStatement(deps.db, deps.clock, job, decision);
  // A job that lands in the dead letters is announced to the org's webhook endpoints, in the same write.
  const announce = decision.state === 'dead' ? await deadLetterAnnouncement(deps, job, decision.lastError) : [];
  const signal = (deps.needsReconnect ?? flaggedReconnect)(failure);
  const vendor = signal ? (signal.vendor ?? job.connectionKey) : null;
  if (!signal || !vendor || !(await findConnection(deps.db, job.orgId, vendor))) return [decide(), ...announce];
  const mark = markConnectionUnhealthyStatement(deps.db, job.orgId, vendor, signal.reason, now.toISOString());
  if (vendor !== job.connectionKey) return [mark, decide(), ...announce];
  const lastError = `${failure.kind}: ${failure.reason} (paused until ${vendor} is reconnected)`;
  return [mark, pauseJobStatement(deps.db, deps.clock, job, lastError)];
}

/** sync.dead_lettered for the org's endpoints; a delivery that dies is not announced (it would feed itself). */
async function deadLetterAnnouncement(deps: ProcessDeps, job: JobRow, lastError: string): Promise<Statement[]> {
  if (job.kind === WEBHOOK_DELIVERY_JOB_KIND) return [];
  let flow: unknown;
  let subjectId: unknown;
  try {
    ({ flow, subjectId } = JSON.parse(job.payload) as { flow?: unknown; subjectId?: unknown });
  } catch {
    // A payload that is not JSON still announces the job by id and kind.
  }
  const at = deps.clock.now().toISOString();
  const { statements } = await webhookEventStatements(
    deps.db,
    deps.clock,
    job.orgId,
    {
      type: 'sync.dead_lettered',
      // A job replayed and dead again is a new event.
      key: `sync.dead_lettered:${job.id}:${at}`,
      at,
      data: {
        job_id: job.id,
        kind: job.kind,
        flow: typeof flow === 'string' ? flow : null,
        subject_id: typeof subjectId === 'string' ? subjectId : null,
        connection: job.connectionKey,
        attempts: job.attempts,
        last_error: lastError,
      },
    },
    job.correlationId,
  );
  return statements;
}
