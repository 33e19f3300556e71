/** Everything that happened to one deal, for support and sales ops (org-scoped throughout). */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { contractLines, contracts, flowRuns, flowSteps, jobs, ledgerEntries, ledgerLines } from '../schema.js';
import { listContractsForDeal, listInvoicesForContracts, listPaymentsForInvoices } from './billing.js';
import { listExternalRefs } from './external-refs.js';

export async function dealTrace(db: Db, orgId: string, system: string, dealId: string, correlationId: string) {
  const contractRows = await listContractsForDeal(db, orgId, system, dealId);
  const contractIds = contractRows.map((c) => c.id);
  const lines =
    contractIds.length === 0
      ? []
      : await db
          .select()
          .from(contractLines)
          .where(and(eq(contractLines.orgId, orgId), inArray(contractLines.contractId, contractIds)))
          .orderBy(asc(contractLines.lineNo));
  // Renewal links both ways: the contract this deal's renews, and the contracts renewing this deal's.
  const renewalOfIds = [...new Set(contractRows.map((c) => c.renewalOfContractId).filter((id) => id !== null))];
  const linkSummary = (c: typeof contracts.$inferSelect) => ({
    contractId: c.id,
    dealId: c.sourceDealId,
    version: c.version,
    startDate: c.startDate,
  });
  const renewalOf =
    renewalOfIds.length === 0
      ? []
      : await db
          .select()
          .from(contracts)
          .where(and(eq(contracts.orgId, orgId), inArray(contracts.id, renewalOfIds)));
  const renewedBy =
    contractIds.length === 0
      ? []
      : await db
          .select()
          .from(contracts)
          .where(and(eq(contracts.orgId, orgId), inArray(contracts.renewalOfContractId, contractIds)))
          .orderBy(asc(contracts.createdAt), asc(contracts.id));
  const invoiceRows = await listInvoicesForContracts(db, orgId, contractIds);
  const invoiceIds = invoiceRows.map((i) => i.id);
  const paymentRows = await listPaymentsForInvoices(db, orgId, invoiceIds);
  const paymentIds = paymentRows.map((p) => p.id);
  const customerIds = [...new Set(contractRows.map((c) => c.customerId))];
  const productIds = [...new Set(lines.map((l) => l.productId))];
  const refs = await listExternalRefs(db, orgId, [
    ...customerIds,
    ...contractIds,
    ...invoiceIds,
    ...paymentIds,
    ...productIds,
  ]);

  const sourceIds = [...invoiceIds, ...paymentIds];
  const entries =
    sourceIds.length === 0
      ? []
      : await db
          .select()
          .from(ledgerEntries)
          .where(and(eq(ledgerEntries.orgId, orgId), inArray(ledgerEntries.sourceId, sourceIds)))
          .orderBy(asc(ledgerEntries.occurredAt));
  const entryLines =
    entries.length === 0
      ? []
      : await db
          .select()
          .from(ledgerLines)
          .where(
            and(
              eq(ledgerLines.orgId, orgId),
              inArray(
                ledgerLines.entryId,
                entries.map((e) => e.id),
              ),
            ),
          );

  const jobRows = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), eq(jobs.correlationId, correlationId)))
    .orderBy(asc(jobs.createdAt));
  const runs =
    jobRows.length === 0
      ? []
      : await db
          .select()
          .from(flowRuns)
          .where(
            and(
              eq(flowRuns.orgId, orgId),
              inArray(
                flowRuns.jobId,
                jobRows.map((j) => j.id),
              ),
            ),
          );
  const steps =
    runs.length === 0
      ? []
      : await db
          .select()
          .from(flowSteps)
          .where(
            and(
              eq(flowSteps.orgId, orgId),
              inArray(
                flowSteps.runId,
                runs.map((r) => r.id),
              ),
            ),
          );

  return {
    deal: { system, id: dealId },
    contracts: contractRows.map((c) => ({
      ...c,
      lines: lines.filter((l) => l.contractId === c.id).map((l) => ({ ...l, priceSpec: JSON.parse(l.priceSpec) })),
    })),
    renewalOf: renewalOf[0] ? linkSummary(renewalOf[0]) : null,
    renewedBy: renewedBy.map(linkSummary),
    invoices: invoiceRows.map((i) => ({ ...i, rounding: JSON.parse(i.rounding) })),
    payments: paymentRows,
    externalRefs: refs.map(({ system: s, objectType, localId, externalId }) => ({
      system: s,
      objectType,
      localId,
      externalId,
    })),
    ledger: entries.map((e) => ({
      ...e,
      lines: entryLines
        .filter((l) => l.entryId === e.id)
        .map(({ account, currency, debitMinor, creditMinor }) => ({ account, currency, debitMinor, creditMinor })),
    })),
    jobs: jobRows.map((j) => {
      const run = runs.find((r) => r.jobId === j.id);
      return {
        id: j.id,
        kind: j.kind,
        dedupeKey: j.dedupeKey,
        state: j.state,
        attempts: j.attempts,
        maxAttempts: j.maxAttempts,
        nextAttemptAt: new Date(j.nextAttemptAt).toISOString(),
        lastError: j.lastError,
        flow: run ? { flow: run.flow, subjectId: run.subjectId, state: run.state } : null,
        steps: run
          ? steps
              .filter((s) => s.runId === run.id)
              .map(({ step, status, error, attempts }) => ({ step, status, error, attempts }))
          : [],
      };
    }),
  };
}
