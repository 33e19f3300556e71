/** Building the job that runs a flow for one subject: one job per (flow, subject), ever. */

import type { CrmVendor } from '../src/domain/vendors.js';
import type { NewJob } from '../src/jobs/types.js';
import type { FlowJobPayload } from './types.js';

export const FLOW_JOB_KIND = 'flow';

export function flowJob(args: {
  orgId: string;
  flow: string;
  subjectId: string;
  input: unknown;
  correlationId: string;
  connectionKey: string;
  maxAttempts?: number;
}): NewJob {
  const payload: FlowJobPayload = { flow: args.flow, subjectId: args.subjectId, input: args.input };
  return {
    orgId: args.orgId,
    kind: FLOW_JOB_KIND,
    payload,
    dedupeKey: `${args.flow}:${args.subjectId}`,
    correlationId: args.correlationId,
    connectionKey: args.connectionKey,
    ...(args.maxAttempts !== undefined ? { maxAttempts: args.maxAttempts } : {}),
  };
}

export const dealCorrelationId = (system: string, dealId: string) => `${system}:deal:${dealId}`;

/** The one job that carries a CRM deal to a contract: the same key whichever trigger (webhook, pull, embed) starts it. */
export function dealToContractJob(orgId: string, system: CrmVendor, dealId: string): NewJob {
  return flowJob({
    orgId,
    flow: 'deal-to-contract',
    subjectId: `${system}:${dealId}`,
    input: { system, dealId },
    correlationId: dealCorrelationId(system, dealId),
    connectionKey: system,
  });
}
