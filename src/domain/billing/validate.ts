/**
 * Terms validation for billing: the zod schema first, then the rules the schema cannot say
 * (ordering, overlaps, the one-usage-cadence rule). Every issue names its path from `prefix`.
 */
import { type ContractTerms, contractTermsSchema, type Discount } from '../contracts/terms.js';
import { trialEnd } from '../contracts/trial.js';
import { decimal, majorToMinor } from '../money.js';
import { cadenceStep, type Step, sameStep, stepLength } from './calendar.js';
import type { BillingIssue } from './types.js';

export class BillingTermsError extends Error {
  readonly issues: BillingIssue[];
  constructor(issues: BillingIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.name = 'BillingTermsError';
    this.issues = issues;
  }
}

function fitsMinor(value: string, currency: string): boolean {
  try {
    majorToMinor(value, currency);
    return true;
  } catch {
    return false;
  }
}

function checkDiscounts(discounts: Discount[] | undefined, currency: string, path: string, issues: BillingIssue[]) {
  (discounts ?? []).forEach((d, i) => {
    if (d.kind === 'percent' && decimal(d.value).gt(100)) {
      issues.push({ path: `${path}.${i}.value`, message: 'a percent discount must be at most 100' });
    }
    if (d.kind === 'amount' && !fitsMinor(d.value, currency)) {
      issues.push({ path: `${path}.${i}.value`, message: 'is too large to hold exactly' });
    }
    if (d.from !== undefined && d.until !== undefined && d.until <= d.from) {
      issues.push({ path: `${path}.${i}.until`, message: 'must be after from' });
    }
  });
}

/** What checkTerms() checks beyond the schema, for terms the schema already parsed. */
export function semanticIssues(terms: ContractTerms, p: string): BillingIssue[] {
  const issues: BillingIssue[] = [];
  if (terms.endDate !== null && terms.endDate <= terms.startDate) {
    issues.push({ path: `${p}.endDate`, message: 'must be after startDate' });
  }
  const paidFrom = trialEnd(terms);
  if (paidFrom !== null && terms.endDate !== null && paidFrom >= terms.endDate) {
    issues.push({ path: `${p}.trial.days`, message: `the trial ends on ${paidFrom}, not before the contract's end` });
  }
  let usageCadence: Step | null = null;
  let shortestFixedArrears: { step: Step; path: string } | null = null;
  terms.phases.forEach((phase, pi) => {
    const pp = `${p}.phases.${pi}`;
    if (phase.end !== null && phase.end <= phase.start)
      issues.push({ path: `${pp}.end`, message: 'must be after start' });
    const prev = terms.phases[pi - 1];
    if (prev !== undefined && (prev.end === null || phase.start < prev.end)) {
      issues.push({
        path: `${pp}.start`,
        message: `overlaps phase ${pi - 1}: phases must be in order and not overlap`,
      });
    }
    checkDiscounts(phase.discounts, terms.currency, `${pp}.discounts`, issues);
    if (phase.minimumCommitment && !fitsMinor(phase.minimumCommitment.amount, terms.currency)) {
      issues.push({ path: `${pp}.minimumCommitment.amount`, message: 'is too large to hold exactly' });
    }
    const ids = new Set<string>();
    phase.items.forEach((item, ii) => {
      const ip = `${pp}.items.${ii}`;
      if (ids.has(item.id)) issues.push({ path: `${ip}.id`, message: `duplicates item id ${item.id} in this phase` });
      ids.add(item.id);
      item.prices.forEach((v, vi) => {
        const before = item.prices[vi - 1];
        if (before !== undefined && v.effectiveFrom <= before.effectiveFrom) {
          issues.push({ path: `${ip}.prices.${vi}.effectiveFrom`, message: 'price versions must be in date order' });
        }
      });
      checkDiscounts(item.discounts, terms.currency, `${ip}.discounts`, issues);
      const step = cadenceStep(item.cadence);
      if (item.metric !== undefined) {
        if (step === null) {
          issues.push({ path: `${ip}.cadence`, message: 'a usage (metric) item needs a recurring cadence' });
        } else if (usageCadence !== null && !sameStep(step, usageCadence)) {
          issues.push({
            path: `${ip}.cadence`,
            message:
              'all usage (metric) items of a contract must share one cadence: usage is measured per arrears period',
          });
        } else {
          usageCadence = step;
        }
      } else if (item.timing === 'in_arrears' && step !== null) {
        if (shortestFixedArrears === null || stepLength(step) < stepLength(shortestFixedArrears.step)) {
          shortestFixedArrears = { step, path: `${ip}.cadence` };
        }
      }
    });
  });
  const fixed = shortestFixedArrears as { step: Step; path: string } | null;
  const usage = usageCadence as Step | null;
  if (usage !== null && fixed !== null && stepLength(fixed.step) < stepLength(usage)) {
    issues.push({
      path: fixed.path,
      message: 'an in-arrears item cannot bill more often than the usage items (usage is measured per arrears period)',
    });
  }
  const grantIds = new Set<string>();
  (terms.credits ?? []).forEach((g, gi) => {
    const gp = `${p}.credits.${gi}`;
    if (grantIds.has(g.id)) issues.push({ path: `${gp}.id`, message: `duplicates credit grant id ${g.id}` });
    grantIds.add(g.id);
    if (g.expiresOn !== undefined && g.expiresOn <= g.grantedOn) {
      issues.push({ path: `${gp}.expiresOn`, message: 'must be after grantedOn' });
    }
    if (!fitsMinor(g.amount, terms.currency))
      issues.push({ path: `${gp}.amount`, message: 'is too large to hold exactly' });
  });
  const couponIds = new Set<string>();
  (terms.coupons ?? []).forEach((c, ci) => {
    const cp = `${p}.coupons.${ci}`;
    if (couponIds.has(c.id)) issues.push({ path: `${cp}.id`, message: `duplicates coupon id ${c.id}` });
    couponIds.add(c.id);
    if (!fitsMinor(c.amount, terms.currency))
      issues.push({ path: `${cp}.amount`, message: 'is too large to hold exactly' });
    if (c.expiresOn !== undefined && c.expiresOn <= (c.appliesFrom ?? terms.startDate)) {
      issues.push({ path: `${cp}.expiresOn`, message: 'must be after appliesFrom (default: the start date)' });
    }
  });
  const walletIds = new Set<string>();
  (terms.wallets ?? []).forEach((w, wi) => {
    const wp = `${p}.wallets.${wi}`;
    if (walletIds.has(w.id)) issues.push({ path: `${wp}.id`, message: `duplicates wallet id ${w.id}` });
    walletIds.add(w.id);
    w.topUps.forEach((t, ti) => {
      if (t.expiresOn !== undefined && t.expiresOn <= t.on) {
        issues.push({ path: `${wp}.topUps.${ti}.expiresOn`, message: 'must be after on' });
      }
      if (!fitsMinor(decimal(t.credits).div(w.rate).toFixed(), terms.currency)) {
        issues.push({ path: `${wp}.topUps.${ti}.credits`, message: 'is too large to hold exactly' });
      }
    });
  });
  return issues;
}

/** Parses and checks terms; issues are prefixed with `prefix` ("terms", "previous", "next"). */
export function checkTerms(
  input: unknown,
  prefix: string,
): { ok: true; terms: ContractTerms } | { ok: false; issues: BillingIssue[] } {
  const parsed = contractTermsSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({
        path: [prefix, ...i.path.map((part) => String(part))].join('.'),
        message: i.message,
      })),
    };
  }
  const issues = semanticIssues(parsed.data, prefix);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, terms: parsed.data };
}
