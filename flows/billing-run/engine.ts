/**
 * The billing run: every due period of every active contract version with terms, invoiced once.
 *
 * Reads are bulk (one query each for contracts, invoiced keys, credit drawn, metrics, and one
 * query per aggregation type for usage; see usage.ts). Invoices are computed by the billing
 * domain (computeInvoice, pure) and written per chunk of contracts in one atomic() unit whose
 * SQL skips anything already invoiced (see invoiceChunkStatements), so a re-run or a concurrent
 * run creates nothing twice. Late usage events (flagged at ingest) are added to the customer's next
 * arrears invoice after computeInvoice and marked in the same unit (see late.ts). Invoices stay 'draft': finalizing, tax and collection of run invoices
 * are not part of the run, and the run calls no vendor. Time comes from the injected clock.
 */
import { atomic, isBatchDb, rowsChanged } from '../../src/db/atomic.js';
import { type Db, newId } from '../../src/db/client.js';
import { naturalId } from '../../src/db/ids.js';
import {
  billableContracts,
  creditDrawn,
  type InvoiceRowInput,
  insertRunStatement,
  invoiceChunkStatements,
  invoicedKeys,
  invoiceKey,
  updateRunStatement,
} from '../../src/db/repos/billing-runs.js';
import { type CreditUse, creditGuardStatement } from '../../src/db/repos/credits.js';
import { listMetrics, toBillableMetric, unbilledLateEvents } from '../../src/db/repos/metering.js';
import { type BillingPeriod, computeInvoice, duePeriods } from '../../src/domain/billing/index.js';
import type { Clock } from '../../src/domain/clock.js';
import { type ContractTerms, contractTermsSchema, type PeriodUsage } from '../../src/domain/contracts/terms.js';
import { isIsoDate } from '../../src/domain/dates.js';
import type { BillableMetric } from '../../src/domain/metering/index.js';
import { DEFAULT_ROUNDING, majorToMinor } from '../../src/domain/money.js';
import { applyLatePlan, type LatePlan, latePlanKey, planLateUsage } from './late.js';
import { aggregateUsage, type UsageRequest } from './usage.js';

export interface BillingRunDeps {
  db: Db;
  clock: Clock;
  /** Contracts per write unit; default 500 on better-sqlite3, 100 on D1 (smaller JSON per batch). */
  chunkSize?: number;
}

export interface BillingRunProgress {
  contractsTotal: number;
  contractsDone: number;
  invoicesCreated: number;
}

export interface BillingRunResult extends BillingRunProgress {
  runId: string;
  at: string;
  state: 'succeeded';
  failures: { contractId: string; reason: string }[];
}

interface Billable {
  id: string;
  customerId: string;
  wallet: string;
  system: string;
  deal: string;
  terms: ContractTerms;
  periods: BillingPeriod[];
}

/** YYYY-MM-DD naming a real day (isIsoDate lets 2026-02-30 through: Date.parse rolls it over). */
export function isCalendarDate(value: string): boolean {
  return isIsoDate(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** Cheap deterministic ids from the natural key (hashing 10,000s of ids cost more than the writes). */
const invoiceIdFor = (contractId: string, p: BillingPeriod) =>
  `inv_${contractId.replace(/^ctr_/, '')}_${p.start.replaceAll('-', '')}_${p.kind}`;

function metricsOf(terms: ContractTerms): string[] {
  const codes = new Set<string>();
  for (const phase of terms.phases) for (const item of phase.items) if (item.metric) codes.add(item.metric);
  return [...codes];
}

/**
 * Runs (or continues, with `options.runId` of a row made by the API) a billing run of `orgId`
 * through `at` (YYYY-MM-DD, inclusive). Per-contract failures are values in the result and in
 * billing_runs.error; an unexpected error marks the run failed and is rethrown.
 */
export async function runBilling(
  deps: BillingRunDeps,
  orgId: string,
  at: string,
  onProgress?: (progress: BillingRunProgress) => void,
  options: { runId?: string } = {},
): Promise<BillingRunResult> {
  const { db, clock } = deps;
  const runId = options.runId ?? newId('brun');
  const stamp = () => clock.now().toISOString();
  await atomic(db, [insertRunStatement(db, orgId, runId, at, stamp())]);
  try {
    return await execute(deps, orgId, at, runId, onProgress);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await atomic(db, [updateRunStatement(db, orgId, runId, stamp(), { state: 'failed', error: reason })]);
    throw error;
  }
}

async function execute(
  deps: BillingRunDeps,
  orgId: string,
  at: string,
  runId: string,
  onProgress?: (progress: BillingRunProgress) => void,
): Promise<BillingRunResult> {
  const { db, clock } = deps;
  const now = clock.now().toISOString();
  const failures: { contractId: string; reason: string }[] = [];
  const done = await invoicedKeys(db, orgId);

  const billable: Billable[] = [];
  const rows = await billableContracts(db, orgId);
  const nextEffective = versionWindows(rows);
  for (const row of rows) {
    let raw: unknown;
    try {
      raw = JSON.parse(row.terms!);
    } catch {
      failures.push({ contractId: row.id, reason: 'terms are not valid JSON' });
      continue;
    }
    const parsed = contractTermsSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      failures.push({ contractId: row.id, reason: `terms.${issue.path.join('.')}: ${issue.message}` });
      continue;
    }
    let due: BillingPeriod[];
    try {
      due = duePeriods(parsed.data, at);
    } catch (error) {
      // duePeriods checks more than the schema (BillingTermsError names the terms field).
      failures.push({ contractId: row.id, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    // Each version bills only the periods that start inside its own window [effective date, the
    // next version's effective date): the amendment already credited and charged the period it
    // fell in, so neither version bills that period again.
    const from = row.effectiveDate ?? parsed.data.startDate;
    const until = nextEffective.get(row.id);
    const periods = due.filter(
      (p) =>
        p.start >= from && (until === undefined || p.start < until) && !done.has(invoiceKey(row.id, p.start, p.kind)),
    );
    const wallet = `${row.sourceSystem}|${row.sourceDealId}`;
    billable.push({
      id: row.id,
      customerId: row.customerId,
      wallet,
      system: row.sourceSystem,
      deal: row.sourceDealId,
      terms: parsed.data,
      periods,
    });
  }
  const progress: BillingRunProgress = {
    contractsTotal: rows.length,
    contractsDone: failures.length,
    invoicesCreated: 0,
  };
  await atomic(db, [updateRunStatement(db, orgId, runId, now, { ...progress })]);
  onProgress?.({ ...progress });

  // Usage of every arrears period, in bulk.
  const requests: UsageRequest[] = [];
  for (const c of billable) {
    const metrics = metricsOf(c.terms);
    for (const p of c.periods) {
      if (p.kind !== 'arrears') continue;
      for (const metric of metrics) {
        requests.push({
          key: `${c.id}|${p.start}|${metric}`,
          customerId: c.customerId,
          metric,
          start: dayMs(p.start),
          end: dayMs(p.end),
        });
      }
    }
  }
  const metricRows = new Map((await listMetrics(db, orgId)).map((m) => [m.code, m]));
  const usage = await aggregateUsage(db, orgId, requests, metricRows);
  const drawn = await creditDrawn(db, orgId);
  // Late events no invoice has billed yet (one query; they are few), assigned to this run's arrears periods.
  const metricDefs = new Map([...metricRows].map(([code, row]) => [code, toBillableMetric(row)]));
  const late = { plans: planLateUsage(billable, await unbilledLateEvents(db, orgId), metricDefs), metrics: metricDefs };
  const productIds = new Map<string, string>();

  const size = deps.chunkSize ?? (isBatchDb(db) ? 100 : 500);
  for (let from = 0; from < billable.length; from += size) {
    const chunk = billable.slice(from, from + size);
    const toWrite: InvoiceRowInput[] = [];
    const credits: CreditUse[] = [];
    const newProducts: { id: string; sku: string; name: string }[] = [];
    for (const c of chunk) {
      const computed = computeContract(c, usage, drawn, failures, late, credits);
      for (const inv of computed) {
        for (const line of inv.lines) {
          if (!productIds.has(line.productId)) {
            const id = await naturalId('prd', orgId, line.productId);
            productIds.set(line.productId, id);
            newProducts.push({ id, sku: line.productId, name: line.description });
          }
          line.productId = productIds.get(line.productId)!;
        }
        toWrite.push(inv);
      }
    }
    const statements = toWrite.length > 0 ? invoiceChunkStatements(db, orgId, now, toWrite, newProducts) : [];
    // After the invoices: fails the chunk if an amendment spent a grant since creditDrawn() read it
    // (the run then fails and a rerun bills the chunk from fresh balances; nothing is written twice).
    const guard = creditGuardStatement(db, orgId, credits);
    const invoicesAt = statements.length - 1;
    if (guard) statements.push(guard);
    const results = await atomic(db, statements);
    progress.invoicesCreated += toWrite.length > 0 ? rowsChanged(results[invoicesAt]) : 0;
    progress.contractsDone += chunk.length;
    await atomic(db, [updateRunStatement(db, orgId, runId, clock.now().toISOString(), { ...progress })]);
    onProgress?.({ ...progress });
  }

  const error = failures.length > 0 ? JSON.stringify({ contracts: failures }) : null;
  await atomic(db, [updateRunStatement(db, orgId, runId, clock.now().toISOString(), { state: 'succeeded', error })]);
  return { runId, at, state: 'succeeded', ...progress, failures };
}

/**
 * The invoices of one contract's due periods, in order, drawing credit grants down as it goes.
 * Line productId holds the SKU here; the caller swaps in the product id. A failure stops the
 * contract (later periods would draw on a wallet we could not settle) and is recorded.
 */
function computeContract(
  c: Billable,
  usage: Map<string, { quantity: string; groups?: { group: Record<string, string | null>; quantity: string }[] }>,
  drawn: Map<string, number>,
  failures: { contractId: string; reason: string }[],
  late: { plans: Map<string, LatePlan>; metrics: Map<string, BillableMetric> },
  credits: CreditUse[],
): InvoiceRowInput[] {
  const balances: Record<string, number> = {};
  for (const grant of c.terms.credits ?? []) {
    balances[grant.id] = majorToMinor(grant.amount, c.terms.currency) + (drawn.get(`${c.wallet}|${grant.id}`) ?? 0);
  }
  const metrics = metricsOf(c.terms);
  const out: InvoiceRowInput[] = [];
  for (const period of c.periods) {
    const periodUsage: PeriodUsage = {};
    if (period.kind === 'arrears') {
      for (const metric of metrics) {
        const answer = usage.get(`${c.id}|${period.start}|${metric}`);
        if (answer) periodUsage[metric] = answer;
      }
    }
    let result: ReturnType<typeof computeInvoice>;
    try {
      result = computeInvoice(c.terms, period, periodUsage, { creditBalances: { ...balances }, validated: true });
    } catch (error) {
      result = { ok: false, issues: [{ path: '', message: error instanceof Error ? error.message : String(error) }] };
    }
    if (!result.ok) {
      const reasons = result.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
      failures.push({ contractId: c.id, reason: `${period.kind} ${period.start}: ${reasons}` });
      break;
    }
    const inv = result.invoice;
    const id = invoiceIdFor(c.id, period);
    for (const used of inv.creditsUsed) {
      balances[used.grantId] = (balances[used.grantId] ?? 0) - used.amountMinor;
      const grant = c.terms.credits!.find((g) => g.id === used.grantId)!;
      const grantedMinor = majorToMinor(grant.amount, c.terms.currency);
      credits.push({ invoiceId: id, system: c.system, deal: c.deal, grantId: used.grantId, grantedMinor });
    }
    out.push({
      id,
      contractId: c.id,
      customerId: c.customerId,
      kind: period.kind,
      periodStart: period.start,
      periodEnd: period.end,
      currency: inv.currency,
      totalMinor: inv.totalMinor,
      issueDate: inv.issueDate,
      dueDate: inv.dueDate,
      rounding: JSON.stringify(DEFAULT_ROUNDING),
      lines: inv.lines.map((line, i) => ({
        id: `inl_${id.slice(4)}_${i + 1}`,
        productId: line.sku ?? `hub:${line.lineKind}`,
        description: line.description,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        amountMinor: line.amountMinor,
        lineKind: line.lineKind,
        sourceRef: line.sourceRef,
        detail: JSON.stringify(line.detail ?? null),
      })),
    });
    // Late usage of earlier periods: an extra line after computeInvoice (see late.ts).
    if (period.kind === 'arrears') {
      applyLatePlan(out.at(-1)!, c.terms, period, late.plans.get(latePlanKey(c.id, period.start)), late.metrics);
    }
  }
  return out;
}

/** For each contract version, the effective date of the version after it in the same deal, if any. */
function versionWindows(
  rows: { id: string; sourceSystem: string; sourceDealId: string; version: number; effectiveDate: string | null }[],
): Map<string, string> {
  const byDeal = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.sourceSystem}|${row.sourceDealId}`;
    byDeal.set(key, [...(byDeal.get(key) ?? []), row]);
  }
  const next = new Map<string, string>();
  for (const versions of byDeal.values()) {
    versions.sort((a, b) => a.version - b.version);
    versions.forEach((v, i) => {
      const later = versions[i + 1];
      if (later?.effectiveDate) next.set(v.id, later.effectiveDate);
    });
  }
  return next;
}
