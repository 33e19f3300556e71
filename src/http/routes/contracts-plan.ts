/**
 * The computing half of /api/v1/contracts: the invoices an amendment writes, the usage a
 * preview rates, and the item diff between two versions. Reads only; the route writes.
 */

import type { Db } from '../../db/client.js';
import {
  type ContractRow,
  type InvoiceToWrite,
  invoiceId,
  invoicesOf,
  usageEventsIn,
} from '../../db/repos/contracts.js';
import { metricsByCode, toBillableMetric } from '../../db/repos/metering.js';
import {
  amendmentInvoices,
  type BillingPeriod,
  computeInvoice,
  duePeriods,
  type InvoiceComputation,
} from '../../domain/billing/index.js';
import type { ContractTerms, PeriodUsage } from '../../domain/contracts/terms.js';
import { addMonths } from '../../domain/dates.js';
import { aggregate } from '../../domain/metering/index.js';
import type { FieldProblem } from '../problem.js';

export type Issues = { ok: false; status: 400 | 422; errors: FieldProblem[] };

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
  const rows = await invoicesOf(
    db,
    orgId,
    chainNewestFirst.map((c) => c.id),
    ['advance'],
  );
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
): Promise<{ ok: true; invoices: InvoiceToWrite[] } | Issues> {
  const previous = input.chain[0]!;
  const billed = await billedAdvancePeriods(db, orgId, input.chain);
  if (billed.length === 0) return { ok: true, invoices: [] };
  const result = amendmentInvoices(input.previousTerms, input.nextTerms, input.effectiveDate, billed);
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
    invoices.push({ id, contractId, customerId: previous.customerId, kind, computation });
  };
  await add(result.creditNote, previous.id, 'credit_note');
  await add(result.charge, input.newContractId, 'advance');
  return { ok: true, invoices };
}

function dayStartMs(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00Z`);
}

/** Longest item cadence (terms allow up to 120 months): an arrears period containing `at` ends before this. */
const LONGEST_PERIOD_MONTHS = 121;

/**
 * What the contract would invoice for the periods containing `at` (one per period and kind),
 * with usage read from usage_events and aggregated by each metric's definition. Nothing stored.
 */
export async function previewInvoices(
  db: Db,
  orgId: string,
  contract: ContractRow,
  terms: ContractTerms,
  at: string,
): Promise<{ ok: true; invoices: InvoiceComputation[] } | Issues> {
  // Arrears periods bill on their end, so look far enough ahead to see the one containing `at`.
  const periods = duePeriods(terms, addMonths(at, LONGEST_PERIOD_MONTHS)).filter((p) => p.start <= at && at < p.end);
  const metricItems = terms.phases.flatMap((phase, p) =>
    phase.items.flatMap((item, i) =>
      item.metric ? [{ code: item.metric, field: `terms.phases.${p}.items.${i}.metric` }] : [],
    ),
  );
  const codes = [...new Set(metricItems.map((m) => m.code))];
  const metrics = await metricsByCode(db, orgId, codes);
  const missing = metricItems.filter((m) => !metrics.has(m.code));
  if (missing.length > 0) {
    return {
      ok: false,
      status: 422,
      errors: missing.map((m) => ({ field: m.field, message: `no billable metric ${m.code} in this org` })),
    };
  }

  const invoices: InvoiceComputation[] = [];
  for (const period of periods) {
    const usage: PeriodUsage = {};
    if (period.kind === 'arrears' && codes.length > 0) {
      const range = { start: dayStartMs(period.start), end: dayStartMs(period.end) };
      const events = await usageEventsIn(db, orgId, contract.customerId, codes, range.start, range.end);
      for (const code of codes) {
        const metric = toBillableMetric(metrics.get(code)!);
        const mine = events
          .filter((e) => e.metricCode === code)
          .map((e) => ({ timestamp: e.timestamp, properties: JSON.parse(e.properties) as Record<string, unknown> }));
        // The total comes from an ungrouped aggregate: max or unique_count do not add up across groups.
        const [total] = aggregate({ ...metric, groupBy: [] }, mine, range);
        const grouped = (metric.groupBy ?? []).length > 0;
        usage[code] = {
          quantity: total?.value ?? '0',
          ...(grouped
            ? { groups: aggregate(metric, mine, range).map((g) => ({ group: g.group, quantity: g.value })) }
            : {}),
        };
      }
    }
    const computed = computeInvoice(terms, period, usage);
    if (!computed.ok) {
      return { ok: false, status: 422, errors: computed.issues.map((i) => ({ field: i.path, message: i.message })) };
    }
    invoices.push(computed.invoice);
  }
  return { ok: true, invoices };
}

type Item = ContractTerms['phases'][number]['items'][number];

/** Items by id across phases (an id may recur in several phases; each occurrence is compared). */
function itemsById(terms: ContractTerms): Map<string, { phase: string; item: Item }[]> {
  const byId = new Map<string, { phase: string; item: Item }[]>();
  for (const phase of terms.phases) {
    for (const item of phase.items) byId.set(item.id, [...(byId.get(item.id) ?? []), { phase: phase.name, item }]);
  }
  return byId;
}

export interface TermsDiff {
  added: string[];
  removed: string[];
  changed: { id: string; fields: string[] }[];
  /** Contract-level fields that changed (currency, endDate, phases' own fields are under `phases`). */
  terms_fields: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A structural diff by item id: what an amendment added, removed or changed. */
export function diffTerms(previous: ContractTerms, next: ContractTerms): TermsDiff {
  const before = itemsById(previous);
  const after = itemsById(next);
  const changed: TermsDiff['changed'] = [];
  for (const [id, now] of after) {
    const was = before.get(id);
    if (!was || same(was, now)) continue;
    const keys = new Set([...was, ...now].flatMap((o) => Object.keys(o.item)));
    const fields = [...keys].filter(
      (k) =>
        !same(
          was.map((o) => o.item[k as keyof Item]),
          now.map((o) => o.item[k as keyof Item]),
        ),
    );
    if (
      !same(
        was.map((o) => o.phase),
        now.map((o) => o.phase),
      )
    )
      fields.unshift('phase');
    changed.push({ id, fields });
  }
  const withoutItems = (t: ContractTerms) => ({
    ...t,
    phases: t.phases.map((p) => ({ ...p, items: undefined })),
  });
  const a = withoutItems(previous);
  const b = withoutItems(next);
  const termKeys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof typeof a)[];
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed,
    terms_fields: termKeys.filter((k) => !same(a[k], b[k])),
  };
}
