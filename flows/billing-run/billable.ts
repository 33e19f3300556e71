/**
 * What a billing run bills: every contract version with readable terms, with its due periods
 * that start inside the version's own window and are not invoiced yet. A version whose terms
 * cannot be read is a failure of that contract, not of the run.
 */
import type { billableContracts } from '../../src/db/repos/billing-runs.js';
import { invoiceKey } from '../../src/db/repos/billing-runs.js';
import {
  type BillingPeriod,
  BillingTermsError,
  duePeriodsOfChecked,
  periodsBeforeCancellation,
  semanticIssues,
} from '../../src/domain/billing/index.js';
import { type ContractTerms, contractTermsSchema } from '../../src/domain/contracts/terms.js';

export interface Billable {
  id: string;
  customerId: string;
  wallet: string;
  /** The deal's CRM and id: a credit grant's balance is the deal's, across its contract versions. */
  system: string;
  deal: string;
  terms: ContractTerms;
  periods: BillingPeriod[];
}

/** A contract the run could not bill, and why (kept in billing_runs.error). */
export interface ContractFailure {
  contractId: string;
  reason: string;
}

type ContractRow = Awaited<ReturnType<typeof billableContracts>>[number];

export function metricsOf(terms: ContractTerms): string[] {
  const codes = new Set<string>();
  for (const phase of terms.phases) for (const item of phase.items) if (item.metric) codes.add(item.metric);
  return [...codes];
}

/** The billable versions among `rows` through `at`; `invoiced` holds invoiceKey()s already billed. */
export function billableVersions(
  rows: readonly ContractRow[],
  at: string,
  invoiced: ReadonlySet<string>,
  failures: ContractFailure[],
): Billable[] {
  const billable: Billable[] = [];
  const nextEffective = versionWindows(rows);
  const cancelled = cancellationsByDeal(rows);
  for (const row of rows) {
    const due = duePeriodsOf(row, at);
    if (!due.ok) {
      failures.push({ contractId: row.id, reason: due.reason });
      continue;
    }
    // Each version bills only the periods that start inside its own window [effective date, the
    // next version's effective date): the amendment already credited and charged the period it
    // fell in, so neither version bills that period again.
    // An effective instant (a by-the-second amendment) opens its version's window on its day.
    const from = (row.effectiveDate ?? due.terms.startDate).slice(0, 10);
    const until = nextEffective.get(row.id)?.slice(0, 10);
    const wallet = `${row.sourceSystem}|${row.sourceDealId}`;
    // Cancelled at period end (dunning's final action): nothing after the period in progress then,
    // for every version of the deal.
    const periods = periodsBeforeCancellation(due.periods, cancelled.get(wallet)).filter(
      (p) =>
        p.start >= from &&
        (until === undefined || p.start < until) &&
        !invoiced.has(invoiceKey(row.id, p.start, p.kind)),
    );
    billable.push({
      id: row.id,
      customerId: row.customerId,
      wallet,
      system: row.sourceSystem,
      deal: row.sourceDealId,
      terms: due.terms,
      periods,
    });
  }
  return billable;
}

type TermsReading = { ok: true; terms: ContractTerms } | { ok: false; reason: string };
type DueReading = { ok: true; terms: ContractTerms; periods: BillingPeriod[] } | { ok: false; reason: string };

/**
 * Stored terms texts already read, with their due periods through the last `at` asked: a run
 * validates every version's terms (zod and the billing checks, the run's largest CPU cost after
 * rating) and works out its periods, and the next run (hourly) reads the same texts again. Keyed
 * by the text itself, so an amended contract (new text) is read afresh. Bounded: the oldest
 * entry goes first. Entries are shared between contracts and runs and never changed.
 */
const readings = new Map<string, { terms: TermsReading; at?: string; due?: DueReading }>();
const MAX_READINGS = 50_000;

function readTerms(text: string): TermsReading {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'terms are not valid JSON' };
  }
  const parsed = contractTermsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `terms.${issue.path.join('.')}: ${issue.message}` };
  }
  // The checks duePeriods() would make, made once here (it would parse the terms again first).
  const issues = semanticIssues(parsed.data, 'terms');
  if (issues.length > 0) return { ok: false, reason: new BillingTermsError(issues).message };
  return { ok: true, terms: parsed.data };
}

/** The version's terms and due periods, or the reason they cannot be read. */
function duePeriodsOf(row: ContractRow, at: string): DueReading {
  const text = row.terms!;
  let entry = readings.get(text);
  if (!entry) {
    if (readings.size >= MAX_READINGS) readings.delete(readings.keys().next().value!);
    entry = { terms: readTerms(text) };
    readings.set(text, entry);
  }
  if (entry.at === at && entry.due) return entry.due;
  const terms = entry.terms;
  let due: DueReading;
  if (!terms.ok) due = terms;
  else {
    try {
      due = { ok: true, terms: terms.terms, periods: duePeriodsOfChecked(terms.terms, at) };
    } catch (error) {
      due = { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }
  entry.at = at;
  entry.due = due;
  return due;
}

/** For each deal (`system|deal id`) cancelled at period end, the earliest day one of its versions was. */
function cancellationsByDeal(
  rows: readonly {
    sourceSystem: string;
    sourceDealId: string;
    collectionStatus: string | null;
    collectionStatusAt: string | null;
  }[],
): Map<string, string> {
  const byDeal = new Map<string, string>();
  for (const row of rows) {
    if (row.collectionStatus !== 'cancel_at_period_end' || !row.collectionStatusAt) continue;
    const key = `${row.sourceSystem}|${row.sourceDealId}`;
    const known = byDeal.get(key);
    if (known === undefined || row.collectionStatusAt < known) byDeal.set(key, row.collectionStatusAt);
  }
  return byDeal;
}

/** For each contract version, the effective date of the version after it in the same deal, if any. */
function versionWindows(
  rows: readonly {
    id: string;
    sourceSystem: string;
    sourceDealId: string;
    version: number;
    effectiveDate: string | null;
  }[],
): Map<string, string> {
  const byDeal = new Map<string, (typeof rows)[number][]>();
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
