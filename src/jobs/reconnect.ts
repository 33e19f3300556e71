/**
 * Which failures mean "this connection's credentials no longer work; a person must reconnect".
 *
 * Such a failure must not spend a job's attempts (retrying cannot help and the job would end up
 * dead): the processor marks the connection unhealthy and parks the job, and the claim query
 * skips jobs whose connection is unhealthy until `PUT /api/v1/connections/{vendor}` restores it.
 *
 * The structured signal is `reconnect: true` on a retryable Failure (src/domain/outcome.ts,
 * `reconnectRequired()`); an adapter that sets it is recognised whatever its reason says. The
 * adapters classify these errors today with fixed reasons and no flag, so the reasons are matched
 * here too, by the constants the adapters share (src/domain/reconnect-reasons.ts). Once every adapter
 * sets the flag, the reason table below can go.
 */

import type { Failure } from '../domain/outcome.js';
import {
  HUBSPOT_TOKEN_REJECTED,
  QUICKBOOKS_TOKEN_EXPIRED,
  SALESFORCE_SESSION_EXPIRED,
} from '../domain/reconnect-reasons.js';
import type { Vendor } from '../domain/vendors.js';

// Re-exported for existing importers; defined in the domain, where the adapters take it from too.
export { QUICKBOOKS_TOKEN_EXPIRED };

/** Reasons that need a reconnect, and the vendor whose connection they condemn. */
const RECONNECT_REASONS: readonly { reason: string; vendor: Vendor; status?: number }[] = [
  { reason: SALESFORCE_SESSION_EXPIRED, vendor: 'salesforce' },
  { reason: HUBSPOT_TOKEN_REJECTED, vendor: 'hubspot' },
  // A generic phrase: only a 401 counts.
  { reason: QUICKBOOKS_TOKEN_EXPIRED, vendor: 'quickbooks', status: 401 },
];

export interface ReconnectSignal {
  /** The vendor the failure came from, when the reason tells; otherwise the job's connection. */
  vendor: Vendor | undefined;
  /** What to show on the connection: the vendor's reason without the flow › step prefix. */
  reason: string;
}

/** What flows/runner.ts puts before a step's reason: "deal-to-contract › fetch-deal: ". */
const FLOW_PREFIX = /^[^:›]+ › [^:]+: /;

/** The flow runner reports "flow › step: <reason>"; the reason may also stand alone. */
function carries(full: string, reason: string): boolean {
  return full === reason || full.endsWith(`: ${reason}`);
}

/** A reconnect signal when `failure` means the connection's credentials no longer work. */
export function needsReconnect(failure: Failure): ReconnectSignal | undefined {
  if (failure.kind !== 'retryable') return undefined;
  const known = RECONNECT_REASONS.find(
    (r) => carries(failure.reason, r.reason) && (r.status === undefined || failure.status === r.status),
  );
  if (known) return { vendor: known.vendor, reason: known.reason };
  if (failure.reconnect) {
    return { vendor: undefined, reason: failure.reason.replace(FLOW_PREFIX, '') };
  }
  return undefined;
}
