/**
 * Acting on what a CRM's webhook reported (adapters/inbound.ts DealChange): record each change in
 * the inbox and enqueue its jobs in one atomic write, then wake the jobs. Handlers never call
 * vendors; the flows read the deal fresh.
 */
import type { DealChange } from '../../../adapters/inbound.js';
import { dealAmendmentJob, dealToContractJob } from '../../../flows/index.js';
import { atomic } from '../../db/atomic.js';
import type { Statement } from '../../db/client.js';
import { contractVersionId, findContract } from '../../db/repos/contracts.js';
import { inboxHasEvent, recordInboxEvent } from '../../db/repos/webhook-inbox.js';
import type { CrmVendor } from '../../domain/vendors.js';
import { enqueueStatement } from '../../jobs/queue.js';
import type { HubContext } from '../context.js';

/**
 * Whether the deal already has its contract (deal-to-contract succeeded): then a new
 * notification is an edit after close, and also starts the amendment check (flows/deal-amendment.ts).
 */
export async function hasContract(
  hub: Pick<HubContext, 'db'>,
  orgId: string,
  system: CrmVendor,
  dealId: string,
): Promise<boolean> {
  return (await findContract(hub.db, orgId, await contractVersionId(orgId, system, dealId, 1))) !== undefined;
}

/**
 * Records the changes and starts their jobs; answers the ids of the jobs started.
 *
 * A change the inbox already holds starts nothing, however late it comes (a redelivery after the
 * deal got its contract does not start an amendment check); the jobs' own dedupe keys still cover
 * concurrent duplicates. A deal that already has its contract was edited: it gets an amendment
 * check, one job per change key.
 */
export async function acceptDealChanges(
  hub: HubContext,
  orgId: string,
  system: CrmVendor,
  changes: readonly DealChange[],
): Promise<string[]> {
  const statements: Statement[] = [];
  const jobIds: string[] = [];
  const enqueue = (job: Parameters<typeof enqueueStatement>[2]) => {
    const queued = enqueueStatement(hub.db, hub.clock, job);
    statements.push(queued.statement);
    jobIds.push(queued.id);
  };
  for (const change of changes) {
    const { provider, eventId, payload } = change.inbox;
    if (await inboxHasEvent(hub.db, orgId, provider, eventId)) continue;
    statements.push(
      recordInboxEvent(hub.db, orgId, { provider, eventId, payload, receivedAt: hub.clock.now().toISOString() }),
    );
    for (const dealId of change.dealIds) {
      if (change.startContract) enqueue(dealToContractJob(orgId, system, dealId));
      if (change.amendmentKey !== undefined && (await hasContract(hub, orgId, system, dealId))) {
        enqueue(dealAmendmentJob(orgId, system, dealId, change.amendmentKey));
      }
    }
  }
  await atomic(hub.db, statements);
  await hub.driver.notify(jobIds);
  return jobIds;
}
