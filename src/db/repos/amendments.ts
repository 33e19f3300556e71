/**
 * One amendment of a contract, whoever asks for it: POST /api/v1/contracts/{id}/amendments and
 * flows/deal-amendment.ts (a CRM deal edited after its contract) both go through
 * prepareAmendment(). It reads, validates and plans; it returns the statements of one atomic
 * unit (the new version, the superseded old one, the credit note and the prorated charge) for
 * the caller to commit: the route with atomic(), the flow as its step's effects.
 * An amendment is keyed by (effective date, terms): asking again finds the existing version.
 */

import {
  amendmentInvoices,
  type BillingPeriod,
  balanceAmounts,
  changeSplit,
  type InvoiceComputation,
  remainingTermBalances,
  roundingOf,
} from '../../domain/billing/index.js';
import type { ContractTerms } from '../../domain/contracts/terms.js';
import type { Db, Statement } from '../client.js';
import { consolidatedPeriodsOf } from './consolidated-invoices.js';
import {
  type ContractRow,
  contractInsert,
  contractVersionId,
  invoiceId,
  invoicesOf,
  summaryColumns,
  supersedeStatement,
} from './contracts.js';
import { type CreditUse, creditGuardStatement, walletDraws } from './credits.js';
import { type InvoiceToWrite, invoiceIds, invoiceStatements } from './invoice-inserts.js';

export type Issues = { ok: false; status: 400 | 422; errors: { field: string; message: string }[] };

/** The stored terms of a version; null for contracts made before terms existed (issue 2). */
export function storedTerms(row: ContractRow): ContractTerms | null {
  // Terms are validated with contractTermsSchema before they are stored and never edited after.
  return row.terms ? (JSON.parse(row.terms) as ContractTerms) : null;
}

/**
 * In-advance periods already invoiced, each under the version it was billed under. A period of
 * an earlier version that reaches past the next version's effective date was credited by that
 * amendment (and re-billed under the next version), so it is left out: only what is still
 * billed under the latest terms can be credited again.
 */
export async function billedAdvancePeriods(
  db: Db,
  orgId: string,
  chainNewestFirst: readonly ContractRow[],
): Promise<BillingPeriod[]> {
  const ids = chainNewestFirst.map((c) => c.id);
  // Periods on their own invoices, and those on consolidated ones (which name them per line).
  const own = await invoicesOf(db, orgId, ids, ['advance']);
  const seen = new Set(own.map((r) => `${r.contractId}|${r.periodStart}`));
  const rows = [
    ...own,
    ...(await consolidatedPeriodsOf(db, orgId, ids, 'advance')).filter(
      (p) => !seen.has(`${p.contractId}|${p.periodStart}`),
    ),
  ].sort((a, b) => a.periodStart.localeCompare(b.periodStart));
  const supersededOn = new Map<string, string | null>();
  chainNewestFirst.forEach((c, i) => {
    supersededOn.set(c.id, i === 0 ? null : (chainNewestFirst[i - 1]!.effectiveDate ?? null));
  });
  return rows
    .filter((r) => {
      const until = supersededOn.get(r.contractId);
      return until === null || until === undefined || r.periodEnd <= until;
    })
    .map((r) => ({ start: r.periodStart, end: r.periodEnd, kind: 'advance' as const, billOn: r.periodStart }));
}

/**
 * The credit note (on the previous version) and the prorated charge (on the new version) of an
 * amendment, with deterministic ids: recomputing the plan for a retried request names the same
 * invoices. Nothing billed yet (a draft, or a period not invoiced) → no invoices.
 */
export async function amendmentPlan(
  db: Db,
  orgId: string,
  input: {
    /** The versions before the amendment, newest (the one amended) first. */
    chain: readonly ContractRow[];
    previousTerms: ContractTerms;
    nextTerms: ContractTerms;
    effectiveDate: string;
    newContractId: string;
  },
): Promise<{ ok: true; invoices: InvoiceToWrite[]; credits: CreditUse[] } | Issues> {
  const previous = input.chain[0]!;
  const billed = await billedAdvancePeriods(db, orgId, input.chain);
  if (billed.length === 0) return { ok: true, invoices: [], credits: [] };
  // The prorated charge draws only on what every other invoice of the deal left of each grant
  // (the March invoice may have used it up); its own draw, on a replay, is not counted against it.
  const drawn = new Map<string, number>();
  // The charge is dated on the day the change splits the time (the next day on 'old_side').
  const proration = input.nextTerms.proration ?? {};
  const chargeDay = changeSplit(input.effectiveDate, {
    dayCount: proration.dayCount ?? 'actual_days',
    changeDay: proration.changeDay,
  }).slice(0, 10);
  for (const d of await walletDraws(db, orgId, previous.sourceSystem, previous.sourceDealId)) {
    const own = d.contractId === input.newContractId && d.periodStart === chargeDay && d.kind === 'advance';
    if (!own) drawn.set(d.grantId, (drawn.get(d.grantId) ?? 0) + d.drawnMinor);
  }
  const creditBalances = remainingTermBalances(input.nextTerms, drawn);
  const result = amendmentInvoices(input.previousTerms, input.nextTerms, input.effectiveDate, billed, {
    creditBalances,
  });
  if (!result.ok) {
    // Name the request's fields: `next` is the body's terms; anything else is stored data (422).
    const errors = result.issues.map((i) => ({
      field: i.path.replace(/^next(?=\.|$)/, 'terms').replace(/^effectiveDate$/, 'effective_date'),
      message: i.message,
    }));
    const theRequest = errors.every((e) => e.field.startsWith('terms') || e.field === 'effective_date');
    return { ok: false, status: theRequest ? 400 : 422, errors };
  }
  const invoices: InvoiceToWrite[] = [];
  const add = async (computation: InvoiceComputation | null, contractId: string, kind: 'credit_note' | 'advance') => {
    if (!computation || computation.lines.length === 0) return;
    const id = await invoiceId(orgId, contractId, computation.periodStart, kind);
    const documentKind = kind === 'credit_note' ? 'credit_note' : 'proration';
    // Each document rounds as its own terms say: the credit note the old version's, the charge the new one's.
    const rounding = roundingOf(kind === 'credit_note' ? input.previousTerms : input.nextTerms);
    invoices.push({ id, contractId, customerId: previous.customerId, kind, documentKind, computation, rounding });
  };
  await add(result.creditNote, previous.id, 'credit_note');
  await add(result.charge, input.newContractId, 'advance');
  const charged = invoices.find((i) => i.kind === 'advance');
  const granted = balanceAmounts(input.nextTerms);
  const credits: CreditUse[] = (charged ? (result.charge?.creditsUsed ?? []) : []).map((used) => ({
    invoiceId: charged!.id,
    system: previous.sourceSystem,
    deal: previous.sourceDealId,
    grantId: used.grantId,
    grantedMinor: granted[used.grantId]!,
  }));
  return { ok: true, invoices, credits };
}

/** The amendment the newest version is, when it has these effective date and terms; else null. */
export async function replayAmendment(
  db: Db,
  orgId: string,
  chain: readonly ContractRow[],
  effectiveDate: string,
  next: ContractTerms,
): Promise<
  | { ok: true; latest: ContractRow; previousTerms: ContractTerms; invoiceIds: string[]; creditNoteIds: string[] }
  | Issues
  | null
> {
  const [latest, previous] = chain;
  if (!latest || !previous || latest.effectiveDate !== effectiveDate || latest.terms !== JSON.stringify(next)) {
    return null;
  }
  const previousTerms = storedTerms(previous)!;
  const plan = await amendmentPlan(db, orgId, {
    chain: chain.slice(1),
    previousTerms,
    nextTerms: next,
    effectiveDate,
    newContractId: latest.id,
  });
  if (!plan.ok) return plan;
  return {
    ok: true,
    latest,
    previousTerms,
    invoiceIds: plan.invoices.map((i) => i.id),
    creditNoteIds: creditNoteIdsOf(plan.invoices),
  };
}

/** The amendment's credit notes: each is issued downstream by flows/issue-credit-note.ts once written. */
const creditNoteIdsOf = (invoices: readonly InvoiceToWrite[]) =>
  invoices.filter((i) => i.kind === 'credit_note').map((i) => i.id);

export type PreparedAmendment =
  /** The newest version cannot be amended (cancelled, superseded, or without terms). */
  | { kind: 'conflict'; detail: string }
  | { kind: 'invalid'; issues: Issues }
  /** The same amendment was already applied: nothing to write. */
  | {
      kind: 'replay';
      latest: ContractRow;
      previousTerms: ContractTerms;
      invoiceIds: string[];
      creditNoteIds: string[];
    }
  | {
      kind: 'write';
      row: ContractRow;
      previousTerms: ContractTerms;
      invoiceIds: string[];
      creditNoteIds: string[];
      statements: Statement[];
    };

/**
 * Validates and plans the amendment of the newest version of `chain` (newest first). The
 * statements are plain inserts of version n+1: a concurrent writer of the same version makes
 * the commit fail as a whole (then replayAmendment tells whether it was the same amendment).
 */
export async function prepareAmendment(
  db: Db,
  orgId: string,
  args: {
    chain: readonly ContractRow[];
    next: ContractTerms;
    effectiveDate: string;
    /** contracts.mapping_version of the new version: 'api', or the CRM mapping that produced the terms. */
    mappingVersion: string;
    now: string;
  },
): Promise<PreparedAmendment> {
  const { chain, next, effectiveDate } = args;
  const latest = chain[0]!;
  const previousTerms = storedTerms(latest);
  if (!previousTerms || latest.status === 'cancelled' || latest.status === 'superseded') {
    const why = previousTerms ? `is ${latest.status}` : 'has no terms (made before terms existed)';
    return { kind: 'conflict', detail: `contract ${latest.id} ${why}; it cannot be amended here` };
  }

  const replay = await replayAmendment(db, orgId, chain, effectiveDate, next);
  if (replay && !replay.ok) return { kind: 'invalid', issues: replay };
  if (replay) return { kind: 'replay', ...replay };

  const errors: Issues['errors'] = [];
  if (latest.effectiveDate && effectiveDate < latest.effectiveDate) {
    errors.push({
      field: 'effective_date',
      message: `must not be before the effective date of version ${latest.version} (${latest.effectiveDate})`,
    });
  }
  if (next.currency !== previousTerms.currency) {
    errors.push({
      field: 'terms.currency',
      message: `must stay ${previousTerms.currency}; a currency change is a new contract`,
    });
  }
  if (errors.length > 0) return { kind: 'invalid', issues: { ok: false, status: 400, errors } };

  const version = latest.version + 1;
  const newContractId = await contractVersionId(orgId, latest.sourceSystem, latest.sourceDealId, version);
  const plan = await amendmentPlan(db, orgId, {
    chain,
    previousTerms,
    nextTerms: next,
    effectiveDate,
    newContractId,
  });
  if (!plan.ok) return { kind: 'invalid', issues: plan };
  const row: ContractRow = {
    ...latest,
    id: newContractId,
    version,
    // A draft stays a draft through amendments; an active contract's new version is the active one.
    status: latest.status,
    ...summaryColumns(next),
    mappingVersion: args.mappingVersion,
    terms: JSON.stringify(next),
    effectiveDate,
    createdAt: args.now,
  };
  const ids = await Promise.all(plan.invoices.map((invoice) => invoiceIds(orgId, invoice)));
  // Ids first, builders after: drizzle builders are thenables and must not pass through await.
  const statements = [
    contractInsert(db, row),
    supersedeStatement(db, orgId, latest.id),
    ...plan.invoices.flatMap((invoice, i) => invoiceStatements(db, orgId, args.now, invoice, ids[i]!)),
  ];
  // Last: fails the unit if another writer spent the grant since walletDraws() read it.
  const guard = creditGuardStatement(db, orgId, plan.credits);
  if (guard) statements.push(guard);
  return {
    kind: 'write',
    row,
    previousTerms,
    invoiceIds: plan.invoices.map((i) => i.id),
    creditNoteIds: creditNoteIdsOf(plan.invoices),
    statements,
  };
}
