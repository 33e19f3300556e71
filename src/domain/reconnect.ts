/**
 * Which failures mean "this connection's credentials no longer work; a person must reconnect".
 *
 * Such a failure must not spend a job's attempts (retrying cannot help and the job would end up
 * dead): the job processor (src/jobs/process.ts) marks the connection unhealthy and parks the job,
 * and the claim query skips jobs whose connection is unhealthy until
 * `PUT /api/v1/connections/{vendor}` restores it.
 *
 * The signal is `reconnect: true` on a retryable Failure (outcome.ts, `reconnectRequired()`).
 * Which vendor's connection it condemns is each vendor module's to say (its errors'
 * `needsReconnect`, asked through adapters/registry.ts, which the composition root hands the job
 * processor); a flagged failure no module claims condemns the job's own connection.
 */
import type { Failure } from './outcome.js';
import type { Vendor } from './vendors.js';

export interface ReconnectSignal {
  /** The vendor the failure came from, when its module recognised it; otherwise the job's connection. */
  vendor: Vendor | undefined;
  /** What to show on the connection: the vendor's reason without the flow › step prefix. */
  reason: string;
}

/** Asks whether a failure needs a reconnect, and of which vendor. */
export type ReconnectCheck = (failure: Failure) => ReconnectSignal | undefined;

/** What flows/runner.ts puts before a step's reason: "deal-to-contract › fetch-deal: ". */
const FLOW_PREFIX = /^[^:›]+ › [^:]+: /;

/** The vendor's own words, without the flow runner's prefix. */
export function withoutFlowPrefix(reason: string): string {
  return reason.replace(FLOW_PREFIX, '');
}

/** Whether `full` is `reason` itself or ends with it behind the flow runner's prefix. */
export function carriesReason(full: string, reason: string): boolean {
  return full === reason || full.endsWith(`: ${reason}`);
}

/** The check without any vendor's knowledge: the flag alone, on the job's own connection. */
export const flaggedReconnect: ReconnectCheck = (failure) =>
  failure.kind === 'retryable' && failure.reconnect
    ? { vendor: undefined, reason: withoutFlowPrefix(failure.reason) }
    : undefined;
