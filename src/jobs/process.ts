/** Runs one claimed job and records its fate: succeeded, rescheduled with backoff, or dead. */

import { atomic } from '../db/atomic.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../domain/clock.js';
import { type Outcome, permanent } from '../domain/outcome.js';
import { completeJobStatement, decideFailure, failJobStatement } from './queue.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import type { JobHandler, JobRow } from './types.js';

export interface ProcessDeps {
  db: Db;
  clock: Clock;
  handlers: Readonly<Record<string, JobHandler>>;
  retryPolicy?: RetryPolicy;
}

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
    await atomic(deps.db, [completeJobStatement(deps.db, deps.clock, job)]);
  } else {
    const decision = decideFailure(job, result, deps.clock.now(), deps.retryPolicy ?? DEFAULT_RETRY_POLICY);
    await atomic(deps.db, [failJobStatement(deps.db, deps.clock, job, decision)]);
  }
  return result;
}
