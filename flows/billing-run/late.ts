/**
 * Late usage in the billing run: events flagged late at ingest (src/domain/metering/late.ts) are
 * never dropped. For each arrears period the run invoices, in order of period start then contract:
 *
 * - late events of the contract's customer for a metric the period bills, with a timestamp INSIDE
 *   the period, are already in the period's usage (the regular aggregation reads every event):
 *   they are only marked with the invoice;
 * - late events with a timestamp BEFORE the period start, of an ADDITIVE metric (count, sum)
 *   without group_by, are billed on an extra 'charge' line "Late usage from earlier periods
 *   (<metric>)" and marked with the invoice. The line is rated ON ITS OWN: the item's price
 *   (the version in force at the period start) applied to the late quantity alone, not merged into
 *   the period's tiers, with no free units and no discounts (those belonged to the earlier
 *   period). It is added after computeInvoice, so after prepaid credits: credits do not draw on
 *   it, and the invoice total is the sum of all lines;
 * - late events of other metrics (max, unique_count, latest, weighted_sum, or grouped) are left
 *   unbilled (late_billed_invoice_id NULL) for a manual correction; GET /api/v1/events?late=true
 *   &unbilled=true lists them.
 *
 * Each event goes to at most one invoice per run, and the mark is written in the same atomic()
 * unit as the invoice, guarded by "the invoice's key is still free" and "still unbilled"
 * (invoiceChunkStatements), so a rerun neither bills an event twice nor loses it. A price that
 * cannot rate the late quantity alone (matrix, tiered_2d: they need properties) leaves the events
 * unbilled and listed.
 */

import type { InvoiceRowInput } from '../../src/db/repos/billing-runs.js';
import type { LateEventRow } from '../../src/db/repos/metering.js';
import type { BillingPeriod } from '../../src/domain/billing/index.js';
import type { ContractItem, ContractTerms } from '../../src/domain/contracts/terms.js';
import { ADDITIVE_AGGREGATIONS, aggregate, type BillableMetric } from '../../src/domain/metering/index.js';
import { type PriceSpec, type RatedPrice, tryRatePrice } from '../../src/domain/pricing/index.js';

/** What one arrears invoice does with late events. */
export interface LatePlan {
  /** Events before the period start, per metric, to bill on a late-usage line. */
  before: Map<string, LateEventRow[]>;
  /** Events inside the period: already in its usage, only marked. */
  inside: number[];
}

export const latePlanKey = (contractId: string, periodStart: string) => `${contractId}|${periodStart}`;

const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/**
 * Assigns the unbilled late events to the run's arrears periods: earliest period first (then
 * contract id), each event once. Pure; `metrics` are the org's metrics by code.
 */
export function planLateUsage(
  contracts: readonly { id: string; customerId: string; terms: ContractTerms; periods: readonly BillingPeriod[] }[],
  events: readonly LateEventRow[],
  metrics: ReadonlyMap<string, BillableMetric>,
): Map<string, LatePlan> {
  const plans = new Map<string, LatePlan>();
  if (events.length === 0) return plans;
  const pending = new Map<string, LateEventRow[]>();
  for (const e of events) {
    const key = `${e.customerId}|${e.metricCode}`;
    const list = pending.get(key) ?? [];
    if (list.length === 0) pending.set(key, list);
    list.push(e);
  }
  const slots = contracts.flatMap((c) =>
    c.periods.filter((p) => p.kind === 'arrears').map((period) => ({ c, period })),
  );
  slots.sort((a, b) =>
    a.period.start !== b.period.start ? (a.period.start < b.period.start ? -1 : 1) : a.c.id < b.c.id ? -1 : 1,
  );
  for (const { c, period } of slots) {
    const start = dayMs(period.start);
    const end = dayMs(period.end);
    const plan: LatePlan = { before: new Map(), inside: [] };
    for (const metricCode of periodMetrics(c.terms, period)) {
      const key = `${c.customerId}|${metricCode}`;
      const list = pending.get(key);
      const metric = metrics.get(metricCode);
      if (!list || !metric) continue;
      const billable = ADDITIVE_AGGREGATIONS.has(metric.aggregation) && (metric.groupBy ?? []).length === 0;
      const left: LateEventRow[] = [];
      const before: LateEventRow[] = [];
      // A recurring metric's period reads everything since the contract started: late or not,
      // those events are in its usage already, and are only marked.
      const from = metric.recurring ? Math.min(start, dayMs(c.terms.startDate)) : start;
      for (const e of list) {
        if (e.timestamp >= from && e.timestamp < end) plan.inside.push(e.id);
        else if (e.timestamp < start && billable) before.push(e);
        else left.push(e);
      }
      if (before.length > 0) plan.before.set(metricCode, before);
      pending.set(key, left);
    }
    if (plan.inside.length > 0 || plan.before.size > 0) plans.set(latePlanKey(c.id, period.start), plan);
  }
  return plans;
}

/** Metrics billed in the period: those of the items of the phases that overlap it. */
function periodMetrics(terms: ContractTerms, period: BillingPeriod): string[] {
  const codes = new Set<string>();
  for (const item of periodItems(terms, period)) if (item.metric) codes.add(item.metric);
  return [...codes];
}

/** Items of the first phase overlapping the period that bills each metric (every such item of that phase). */
function periodItems(terms: ContractTerms, period: BillingPeriod, metric?: string): ContractItem[] {
  const out: ContractItem[] = [];
  for (const phase of terms.phases) {
    if (phase.start >= period.end || (phase.end !== null && phase.end <= period.start)) continue;
    const items = phase.items.filter((i) => i.metric !== undefined && (metric === undefined || i.metric === metric));
    if (metric !== undefined && items.length > 0) return items;
    out.push(...items);
  }
  return out;
}

/** The version whose effectiveFrom is the latest not after `on` (before the first one, the first). */
function priceAt(item: ContractItem, on: string): { index: number; price: PriceSpec } {
  let index = 0;
  item.prices.forEach((v, i) => {
    if (v.effectiveFrom <= on) index = i;
  });
  return { index, price: item.prices[index]!.price as PriceSpec };
}

function unitAmountOf(price: PriceSpec, rated: RatedPrice): string {
  if (price.model === 'per_unit') return price.unit_amount;
  const only = rated.breakdown.length === 1 ? rated.breakdown[0] : undefined;
  return only?.unit_amount !== undefined && only.flat_amount === undefined ? only.unit_amount : '0';
}

/**
 * Adds the late-usage lines of `plan` to an arrears invoice computed by computeInvoice, sets
 * `lateEventIds` (every event the invoice settles) and recomputes the total as the sum of lines.
 * Line productId holds the SKU, as the engine expects.
 */
export function applyLatePlan(
  inv: InvoiceRowInput,
  terms: ContractTerms,
  period: BillingPeriod,
  plan: LatePlan | undefined,
  metrics: ReadonlyMap<string, BillableMetric>,
): void {
  if (!plan) return;
  const marked = [...plan.inside];
  for (const [metricCode, events] of plan.before) {
    const metric = metrics.get(metricCode)!;
    const [result] = aggregate(
      metric,
      events.map((e) => ({ timestamp: e.timestamp, properties: JSON.parse(e.properties) as Record<string, unknown> })),
      { start: Number.MIN_SAFE_INTEGER, end: dayMs(period.start) },
    );
    const quantity = result?.value ?? '0';
    const lines: InvoiceRowInput['lines'] = [];
    let rateable = true;
    for (const item of periodItems(terms, period, metricCode)) {
      const { index, price } = priceAt(item, period.start);
      // A flat fee does not depend on usage: late usage adds nothing to it.
      if (price.model === 'flat_fee') continue;
      const rated = tryRatePrice(price, { quantity, currency: inv.currency });
      if (!rated.ok) {
        rateable = false;
        break;
      }
      lines.push({
        id: `inl_${inv.id.slice(4)}_${inv.lines.length + lines.length + 1}`,
        productId: item.sku ?? 'hub:charge',
        description: `Late usage from earlier periods (${metricCode})`,
        quantity,
        unitAmount: unitAmountOf(price, rated.rated),
        amountMinor: rated.rated.amountMinor,
        lineKind: 'charge',
        sourceRef: item.id,
        detail: JSON.stringify({
          lateUsage: {
            metric: metricCode,
            events: events.length,
            from: new Date(events[0]!.timestamp).toISOString(),
            to: new Date(events.at(-1)!.timestamp).toISOString(),
            basis: 'rated on its own (not merged into the period tiers); no free units, discounts or credits',
          },
          item: item.id,
          priceVersion: { index, effectiveFrom: item.prices[index]!.effectiveFrom },
          model: price.model,
          rated: {
            amountMinor: rated.rated.amountMinor,
            unroundedAmount: rated.rated.unroundedAmount,
            breakdown: rated.rated.breakdown,
          },
        }),
      });
    }
    // A price that cannot rate the late quantity alone leaves the events unbilled (listed for a correction).
    if (!rateable) continue;
    if (quantity !== '0') {
      inv.lines.push(...lines);
      // After credits: the total stays the sum of all lines.
      inv.totalMinor += lines.reduce((sum, l) => sum + l.amountMinor, 0);
    }
    marked.push(...events.map((e) => e.id));
  }
  if (marked.length > 0) inv.lateEventIds = marked;
}
