/**
 * computeInvoice: one invoice of a contract for one period and kind. Pure: the same terms,
 * period, usage and options always give the same invoice, so a billing run can recompute it.
 *
 * Order of work: item charges (rated, prorated) → item discounts → invoice-level discounts →
 * minimum commitment → prepaid credits. Every line is rounded once; the total is their sum.
 * Rounding follows the one RoundingPolicy (options.rounding) that the tax request and the ERP
 * payload also use: 'line' rounds each charge, 'document' rounds the charges' exact total once
 * and spreads it over them (lines.ts documentRounded). Either way the stored lines add up to the
 * total, so what the tax engine and the ERP receive (those lines) ties out to the cent.
 */
import { renewedThrough } from '../contracts/renewal.js';
import type { ContractTerms, PeriodUsage } from '../contracts/terms.js';
import { afterTrial } from '../contracts/trial.js';
import { isNonNegativeDecimalString } from '../grammar.js';
import { resolveContext } from './context.js';
import { couponLines, creditLines } from './credits.js';
import { addDaysFast, isIsoDay } from './day-math.js';
import { periodLines } from './lines.js';
import { assemble, sumOf } from './totals.js';
import type { BillingIssue, BillingPeriod, ComputeOptions, ComputeResult } from './types.js';
import { checkTerms } from './validate.js';

export function periodIssues(period: BillingPeriod, path = 'period'): BillingIssue[] {
  const issues: BillingIssue[] = [];
  if (typeof period !== 'object' || period === null) return [{ path, message: 'must be a billing period' }];
  for (const field of ['start', 'end', 'billOn'] as const) {
    if (typeof period[field] !== 'string' || !isIsoDay(period[field])) {
      issues.push({ path: `${path}.${field}`, message: 'must be a date YYYY-MM-DD' });
    }
  }
  if (issues.length === 0 && period.end <= period.start)
    issues.push({ path: `${path}.end`, message: 'must be after start' });
  if (period.kind !== 'advance' && period.kind !== 'arrears') {
    issues.push({ path: `${path}.kind`, message: "must be 'advance' or 'arrears'" });
  }
  return issues;
}

function usageIssues(usage: PeriodUsage): BillingIssue[] {
  if (typeof usage !== 'object' || usage === null)
    return [{ path: 'usage', message: 'must be an object keyed by metric code' }];
  const issues: BillingIssue[] = [];
  for (const [code, entry] of Object.entries(usage)) {
    if (typeof entry?.quantity !== 'string' || !isNonNegativeDecimalString(entry.quantity)) {
      issues.push({ path: `usage.${code}.quantity`, message: 'must be a non-negative decimal string such as "12.5"' });
    }
    (entry?.groups ?? []).forEach((g, i) => {
      if (typeof g?.quantity !== 'string' || !isNonNegativeDecimalString(g.quantity)) {
        issues.push({ path: `usage.${code}.groups.${i}.quantity`, message: 'must be a non-negative decimal string' });
      }
    });
  }
  return issues;
}

/**
 * Pure. Validates terms (contractTermsSchema plus ordering rules) and returns
 * { ok: false, issues: [{ path, message }] } on bad input, paths naming the argument
 * ("terms.phases.0.items.1.cadence", "period.end", "usage.api_calls.quantity").
 */
export function computeInvoice(
  terms: ContractTerms,
  period: BillingPeriod,
  usage: PeriodUsage,
  options?: ComputeOptions,
): ComputeResult {
  const checked = options?.validated === true ? { ok: true as const, terms } : checkTerms(terms, 'terms');
  const issues = [...(checked.ok ? [] : checked.issues), ...periodIssues(period), ...usageIssues(usage ?? {})];
  if (!checked.ok || issues.length > 0) return { ok: false, issues };
  // An auto-renewing contract is billed under its renewed terms for a period after its first end.
  const ctx = resolveContext(afterTrial(renewedThrough(checked.terms, period.start)), 'terms', options);
  const built = periodLines(ctx, period.kind, period, usage ?? {});
  if (!built.ok) return built;
  const lines = built.phases.flatMap((p) => p.lines);
  // Coupons (discounts, before tax) first, then prepaid credits and wallets on what is left.
  const coupons = couponLines(ctx, sumOf(lines), period.billOn);
  const credits = creditLines(ctx, sumOf(lines) + sumOf(coupons.lines), period.billOn);
  return {
    ok: true,
    invoice: assemble(
      {
        currency: ctx.currency,
        periodStart: period.start,
        periodEnd: period.end,
        kind: period.kind,
        issueDate: period.billOn,
        dueDate: addDaysFast(period.billOn, ctx.terms.paymentTermsDays),
      },
      [...lines, ...coupons.lines, ...credits.lines],
      [...coupons.used, ...credits.used],
    ),
  };
}
