/**
 * Fixing failed syncs, shared by the console's sync log and the JSON API: edit a dead flow job's
 * input and retry it, and replay every dead job a filter matches. Both are audit-logged with who
 * acted; both write only to the org's own jobs.
 */
import { atomic } from '../db/atomic.js';
import { auditStatement } from '../db/repos/audit.js';
import { clearResolutionStatement, editAndRequeueDeadJob, searchJobs } from '../db/repos/console-jobs.js';
import { findJob, type JobRow } from '../db/repos/jobs.js';
import { replayJob } from '../jobs/queue.js';
import type { HubContext } from './context.js';

/** How many dead jobs one bulk replay requeues (the rest stay for the next). */
export const MAX_BULK_REPLAY = 500;
export const REDACTED = '[redacted]';

export interface FlowPayload {
  flow?: string;
  subjectId?: string;
  input?: unknown;
}

export function payloadOf(job: JobRow): FlowPayload {
  try {
    const value = JSON.parse(job.payload) as unknown;
    return value && typeof value === 'object' ? (value as FlowPayload) : {};
  } catch {
    return {};
  }
}

/** Payloads hold ids and inputs, not credentials; anything named like a secret is blanked all the same. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        /secret|token|password|api_?key|authorization/i.test(k) ? REDACTED : redact(v),
      ]),
    );
  }
  return value;
}

/**
 * An edited payload shown redacted: wherever the person left a blanked value as it was shown, the
 * original value stands (an edit never writes "[redacted]" over a secret it could not see).
 */
export function restoreRedacted(edited: unknown, original: unknown): unknown {
  if (edited === REDACTED) return original;
  if (Array.isArray(edited)) {
    return edited.map((v, i) => restoreRedacted(v, Array.isArray(original) ? original[i] : undefined));
  }
  if (edited && typeof edited === 'object') {
    const from = original && typeof original === 'object' ? (original as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(edited).map(([k, v]) => [k, restoreRedacted(v, from[k])]));
  }
  return edited;
}

export type EditOutcome =
  | { outcome: 'not_found' }
  /** Not dead, or not a flow job (only a flow job has an input to edit). */
  | { outcome: 'not_editable'; state: string }
  /** It stopped being dead between the read and the write (someone retried it first). */
  | { outcome: 'raced' }
  | { outcome: 'requeued'; job: JobRow };

/** Replaces a dead flow job's input (redacted values kept) and requeues it with a fresh budget. */
export async function editDeadJobInput(
  hub: HubContext,
  who: { orgId: string; actor: string },
  jobId: string,
  edited: Record<string, unknown>,
): Promise<EditOutcome> {
  const job = await findJob(hub.db, who.orgId, jobId);
  if (!job) return { outcome: 'not_found' };
  const payload = payloadOf(job);
  if (job.state !== 'dead' || payload.flow === undefined) return { outcome: 'not_editable', state: job.state };
  const input = restoreRedacted(edited, payload.input);
  const landed = await editAndRequeueDeadJob(hub.db, hub.clock.now(), {
    orgId: who.orgId,
    jobId,
    payload: JSON.stringify({ ...payload, input }),
    actor: who.actor,
    before: redact(payload.input ?? null),
    after: redact(input),
  });
  if (!landed) return { outcome: 'raced' };
  await hub.driver.notify([jobId]);
  return { outcome: 'requeued', job: (await findJob(hub.db, who.orgId, jobId))! };
}

export interface ReplayFilter {
  connection?: string;
  flow?: string;
  error?: string;
  /** Only dead jobs nobody marked resolved (true) or only resolved ones (false). */
  open?: boolean;
}

/**
 * Requeues every dead job the filter matches (up to MAX_BULK_REPLAY), clears their resolutions and
 * writes one audit entry naming the filter and the jobs. Returns the ids requeued.
 */
export async function replayMatchingDeadJobs(
  hub: HubContext,
  who: { orgId: string; actor: string },
  filter: ReplayFilter,
  auditFilter: Record<string, string>,
): Promise<string[]> {
  const matching = await searchJobs(hub.db, who.orgId, { ...filter, state: 'dead', limit: MAX_BULK_REPLAY });
  const replayed: string[] = [];
  for (const job of matching) {
    if (await replayJob(hub.db, hub.clock, who.orgId, job.id)) {
      await atomic(hub.db, [clearResolutionStatement(hub.db, who.orgId, job.id)]);
      replayed.push(job.id);
    }
  }
  if (replayed.length > 0) {
    await atomic(hub.db, [
      auditStatement(hub.db, who.orgId, {
        actor: who.actor,
        action: 'job.bulk_replayed',
        subject: `${replayed.length} jobs`,
        detail: { filter: auditFilter, jobIds: replayed },
        at: hub.clock.now().toISOString(),
      }),
    ]);
    await hub.driver.notify(replayed);
  }
  return replayed;
}
