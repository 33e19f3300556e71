/**
 * The invoices of one contract version's due periods, computed by the billing domain
 * (computeInvoice, pure) from the usage and credit drawn the run read in bulk. No I/O.
 */

import type { InvoiceRowInput } from '../../src/db/repos/billing-runs.js';
import type { CreditUse } from '../../src/db/repos/credits.js';
import type { UsageAnswer } from '../../src/db/repos/usage-aggregates.js';
import { type BillingPeriod, balanceAmounts, computeInvoice, roundingOf } from '../../src/domain/billing/index.js';
import type { PeriodUsage } from '../../src/domain/contracts/terms.js';
import type { BillableMetric } from '../../src/domain/metering/index.js';
import { type Billable, type ContractFailure, metricsOf } from './billable.js';
import { applyLatePlan, type LatePlan, latePlanKey } from './late.js';

/** What every contract's computation reads: usage by `contract|period start|metric`, credit drawn by `wallet|grant`, late usage. */
export interface RunInputs {
  usage: Map<string, UsageAnswer>;
  drawn: Map<string, number>;
  late: { plans: Map<string, LatePlan>; metrics: Map<string, BillableMetric> };
}

/** Cheap deterministic ids from the natural key (hashing 10,000s of ids cost more than the writes). */
const invoiceIdFor = (contractId: string, p: BillingPeriod) =>
  `inv_${contractId.replace(/^ctr_/, '')}_${p.start.replaceAll('-', '')}_${p.kind}`;

/**
 * The invoices of one contract's due periods, in order, drawing credit grants down as it goes.
 * Line productId holds the SKU here; the caller swaps in the product id. A failure stops the
 * contract (later periods would draw on a wallet we could not settle) and is recorded.
 */
/** `credits` collects every grant draw, for the chunk's guard statement (db/repos/credits.ts). */
export function computeContract(
  c: Billable,
  inputs: RunInputs,
  failures: ContractFailure[],
  credits: CreditUse[],
): InvoiceRowInput[] {
  const { usage, drawn, late } = inputs;
  // Grants, coupons and wallet top-ups: each drawn once across every invoice of the deal.
  const granted = balanceAmounts(c.terms);
  const balances: Record<string, number> = {};
  for (const [key, full] of Object.entries(granted)) {
    balances[key] = full + (drawn.get(`${c.wallet}|${key}`) ?? 0);
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
      const grantedMinor = granted[used.grantId]!;
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
      rounding: JSON.stringify(roundingOf(c.terms)),
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
