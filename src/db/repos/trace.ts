/**
 * Everything that happened to one deal, for support and sales ops (org-scoped throughout): its
 * contracts and their renewal links, invoices, payments, vendor refs, ledger, and the jobs of its
 * correlation id with their flow runs and steps. Each part is read by its own function below;
 * dealTrace() reads them in turn and shapes the answer.
 */

import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { contractLines, contracts, flowRuns, flowSteps, jobs } from '../schema.js';
import { listContractsForDeal, listInvoicesForContracts, listPaymentsForInvoices } from './billing.js';
import { listExternalRefs } from './external-refs.js';
import { journalOf } from './ledger.js';

type ContractRow = typeof contracts.$inferSelect;
type JobRow = typeof jobs.$inferSelect;

export async function dealTrace(db: Db, orgId: string, system: string, dealId: string, correlationId: string) {
  const contractRows = await listContractsForDeal(db, orgId, system, dealId);
  const contractIds = contractRows.map((c) => c.id);
  const lines = await contractLinesOf(db, orgId, contractIds);
  const renewals = await renewalLinks(db, orgId, contractRows);
  const invoiceRows = await listInvoicesForContracts(db, orgId, contractIds);
  const invoiceIds = invoiceRows.map((i) => i.id);
  const paymentRows = await listPaymentsForInvoices(db, orgId, invoiceIds);
  const paymentIds = paymentRows.map((p) => p.id);
  const refs = await listExternalRefs(db, orgId, [
    ...new Set(contractRows.map((c) => c.customerId)),
    ...contractIds,
    ...invoiceIds,
    ...paymentIds,
    ...new Set(lines.map((l) => l.productId)),
  ]);
  const ledger = await journalOf(db, orgId, [...invoiceIds, ...paymentIds]);
  const jobRuns = await jobRunsOf(db, orgId, correlationId);

  return {
    deal: { system, id: dealId },
    contracts: contractRows.map((c) => ({
      ...c,
      lines: lines.filter((l) => l.contractId === c.id).map((l) => ({ ...l, priceSpec: JSON.parse(l.priceSpec) })),
    })),
    renewalOf: renewals.renewalOf ? linkSummary(renewals.renewalOf) : null,
    renewedBy: renewals.renewedBy.map(linkSummary),
    invoices: invoiceRows.map((i) => ({ ...i, rounding: JSON.parse(i.rounding) })),
    payments: paymentRows,
    externalRefs: refs.map(({ system: s, objectType, localId, externalId }) => ({
      system: s,
      objectType,
      localId,
      externalId,
    })),
    ledger: ledger.map((e) => ({
      ...e,
      lines: e.lines.map(({ account, currency, debitMinor, creditMinor }) => ({
        account,
        currency,
        debitMinor,
        creditMinor,
      })),
    })),
    jobs: jobRuns.jobs.map((job) => jobSummary(job, jobRuns)),
  };
}

async function contractLinesOf(db: Db, orgId: string, contractIds: string[]) {
  if (contractIds.length === 0) return [];
  return db
    .select()
    .from(contractLines)
    .where(and(eq(contractLines.orgId, orgId), inArray(contractLines.contractId, contractIds)))
    .orderBy(asc(contractLines.lineNo));
}

/** Renewal links both ways: the contract this deal's renews, and the contracts renewing this deal's. */
async function renewalLinks(db: Db, orgId: string, contractRows: readonly ContractRow[]) {
  const contractIds = contractRows.map((c) => c.id);
  const renewalOfIds = [...new Set(contractRows.map((c) => c.renewalOfContractId).filter((id) => id !== null))];
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
  return { renewalOf: renewalOf[0], renewedBy };
}

function linkSummary(c: ContractRow) {
  return { contractId: c.id, dealId: c.sourceDealId, version: c.version, startDate: c.startDate };
}

/** The jobs of one correlation id, oldest first, with the flow run of each and the runs' steps. */
async function jobRunsOf(db: Db, orgId: string, correlationId: string) {
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
  return { jobs: jobRows, runs, steps };
}

function jobSummary(job: JobRow, { runs, steps }: Awaited<ReturnType<typeof jobRunsOf>>) {
  const run = runs.find((r) => r.jobId === job.id);
  return {
    id: job.id,
    kind: job.kind,
    dedupeKey: job.dedupeKey,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    nextAttemptAt: new Date(job.nextAttemptAt).toISOString(),
    lastError: job.lastError,
    flow: run ? { flow: run.flow, subjectId: run.subjectId, state: run.state } : null,
    steps: run
      ? steps
          .filter((s) => s.runId === run.id)
          .map(({ step, status, error, attempts }) => ({ step, status, error, attempts }))
      : [],
  };
}
