/**
 * The computing half of /api/v1/contracts: the usage a preview rates. The amendment itself
 * (validation, credit note and prorated charge, statements) is src/db/repos/amendments.ts,
 * shared with flows/deal-amendment.ts; the item diff is src/domain/contracts/diff.ts.
 * Reads only; the route writes.
 */

import type { Db } from '../../db/client.js';
import type { Issues } from '../../db/repos/amendments.js';
import { type ContractRow, usageEventsIn } from '../../db/repos/contracts.js';
import { walletDraws } from '../../db/repos/credits.js';
import { metricsByCode, toBillableMetric } from '../../db/repos/metering.js';
import {
  computeInvoice,
  duePeriods,
  type InvoiceComputation,
  remainingTermBalances,
} from '../../domain/billing/index.js';
import type { ContractTerms, PeriodUsage } from '../../domain/contracts/terms.js';
import { addMonths } from '../../domain/dates.js';
import { aggregate, levelBefore } from '../../domain/metering/index.js';
import { Dec, plain } from '../../domain/pricing/decimal.js';

export { amendmentPlan, billedAdvancePeriods, type Issues, storedTerms } from '../../db/repos/amendments.js';
export { diffTerms, type TermsDiff } from '../../domain/contracts/diff.js';

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

  // Prepaid credit is consumed once: each previewed invoice draws on what the stored invoices of
  // the deal (every version) left, less what the previews before it drew. A stored invoice of a
  // previewed period is the one being recomputed, so its own draw is not counted against it.
  const previewed = new Set(periods.map((p) => `${contract.id}|${p.start}|${p.kind}`));
  const drawn = new Map<string, number>();
  for (const d of await walletDraws(db, orgId, contract.sourceSystem, contract.sourceDealId)) {
    if (!previewed.has(`${d.contractId}|${d.periodStart}|${d.kind}`)) {
      drawn.set(d.grantId, (drawn.get(d.grantId) ?? 0) + d.drawnMinor);
    }
  }
  // In billing order, so the advance invoice of a period draws before the arrears one.
  periods.sort((a, b) => a.billOn.localeCompare(b.billOn) || a.kind.localeCompare(b.kind));
  const invoices: InvoiceComputation[] = [];
  for (const period of periods) {
    const usage: PeriodUsage = {};
    if (period.kind === 'arrears' && codes.length > 0) {
      const range = { start: dayStartMs(period.start), end: dayStartMs(period.end) };
      // A recurring metric reads everything since the contract started (as the billing run does).
      const since = Math.min(range.start, dayStartMs(terms.startDate));
      const recurring = codes.some((code) => metrics.get(code)!.recurring);
      const events = await usageEventsIn(
        db,
        orgId,
        contract.customerId,
        codes,
        recurring ? since : range.start,
        range.end,
      );
      // weighted_sum starts the period at the last level reported before it (levelBefore).
      const weighted = codes.filter((code) => metrics.get(code)!.aggregation === 'weighted_sum');
      const earlier = await usageEventsIn(db, orgId, contract.customerId, weighted, 0, range.start);
      const parsed = (rows: typeof events, code: string) =>
        rows
          .filter((e) => e.metricCode === code)
          .map((e) => ({ timestamp: e.timestamp, properties: JSON.parse(e.properties) as Record<string, unknown> }));
      for (const code of codes) {
        const metric = toBillableMetric(metrics.get(code)!);
        const window = metric.recurring ? { start: since, end: range.end } : range;
        const mine = parsed(events, code).filter((e) => e.timestamp >= window.start);
        const before = metric.aggregation === 'weighted_sum' ? parsed(earlier, code) : [];
        const prior = (m: typeof metric) => {
          const level = before.length > 0 ? levelBefore(m, before, range.start) : undefined;
          return level === undefined ? {} : { prior: level };
        };
        const grouped = (metric.groupBy ?? []).length > 0;
        const groups = grouped ? aggregate(metric, mine, window, prior(metric)) : [];
        // The total comes from an ungrouped aggregate: max or unique_count do not add up across
        // groups. Levels do: a grouped weighted_sum totals its groups' levels (as the billing run does).
        const quantity =
          grouped && metric.aggregation === 'weighted_sum'
            ? plain(groups.reduce((sum, g) => sum.add(g.value), new Dec(0)))
            : (aggregate({ ...metric, groupBy: [] }, mine, window, prior({ ...metric, groupBy: [] }))[0]?.value ?? '0');
        usage[code] = {
          quantity,
          ...(grouped ? { groups: groups.map((g) => ({ group: g.group, quantity: g.value })) } : {}),
        };
      }
    }
    const creditBalances = remainingTermBalances(terms, drawn);
    const computed = computeInvoice(terms, period, usage, { creditBalances });
    if (!computed.ok) {
      return { ok: false, status: 422, errors: computed.issues.map((i) => ({ field: i.path, message: i.message })) };
    }
    for (const used of computed.invoice.creditsUsed) {
      drawn.set(used.grantId, (drawn.get(used.grantId) ?? 0) - used.amountMinor);
    }
    invoices.push(computed.invoice);
  }
  return { ok: true, invoices };
}
