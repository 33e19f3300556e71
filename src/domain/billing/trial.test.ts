/**
 * Free trials (issue 11): nothing billed for the trial's days; the first paid period anchored on
 * the trial's end (Stripe's `trial_end` resets the billing cycle anchor,
 * https://docs.stripe.com/billing/subscriptions/trials) or on the contract's own anchor, with the
 * days from the trial's end to that anchor prorated.
 */
import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '../contracts/terms.js';
import { computeInvoice, duePeriods } from './index.js';
import { phase, seats, terms } from './testing.js';
import { checkTerms } from './validate.js';

const billed = (t: ContractTerms, through: string) =>
  duePeriods(t, through).map((p) => {
    const r = computeInvoice(t, p, {});
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return `${p.start}..${p.end} ${r.invoice.totalMinor}`;
  });

// 31.00 a month: a day of January or March is exactly 1.00.
const monthly = (start: string) =>
  phase([seats({ prices: [{ effectiveFrom: '2000-01-01', price: { model: 'per_unit', unit_amount: '31.00' } }] })], {
    start,
  });

describe('free trials', () => {
  it('trial_end: a 14-day trial from Jan 1 bills from Jan 15, each month on the 15th, in full', () => {
    const t = terms([monthly('2026-01-01')], { trial: { days: 14 } });
    expect(billed(t, '2026-03-15')).toEqual([
      '2026-01-15..2026-02-15 3100',
      '2026-02-15..2026-03-15 3100',
      '2026-03-15..2026-04-15 3100',
    ]);
  });

  it('anchor: a calendar contract bills Jan 15–31 prorated (17 of 31 days), then whole months', () => {
    const t = terms([monthly('2026-01-01')], { trial: { days: 14, firstPeriod: 'anchor' } });
    expect(billed(t, '2026-03-01')).toEqual([
      '2026-01-15..2026-02-01 1700',
      '2026-02-01..2026-03-01 3100',
      '2026-03-01..2026-04-01 3100',
    ]);
  });

  it("anchor: an anniversary contract keeps its start date's day (the 10th) after a 30-day trial", () => {
    const t = terms([monthly('2026-01-10')], { alignment: 'anniversary', trial: { days: 30, firstPeriod: 'anchor' } });
    // The trial covers Jan 10 – Feb 8; Feb 9 is the last day of the Jan 10..Feb 10 grid period,
    // so the first paid period is that one day, 1 of 31 days = 1.00; then whole months on the 10th.
    expect(billed(t, '2026-03-10')).toEqual([
      '2026-02-09..2026-02-10 100',
      '2026-02-10..2026-03-10 3100',
      '2026-03-10..2026-04-10 3100',
    ]);
  });

  it('a setup fee bills when the trial ends, not before', () => {
    const setup = seats({
      id: 'setup',
      sku: 'SETUP',
      cadence: 'one_time',
      prices: [{ effectiveFrom: '2000-01-01', price: { model: 'flat_fee', amount: '50.00' } }],
    });
    const t = terms([phase([setup], { start: '2026-01-01' })], { trial: { days: 7 } });
    expect(billed(t, '2026-12-31')).toEqual(['2026-01-08..2026-01-09 5000']);
  });

  it('nothing is due during the trial', () => {
    expect(duePeriods(terms([monthly('2026-01-01')], { trial: { days: 14 } }), '2026-01-14')).toEqual([]);
  });

  it('refuses a trial that outlasts the contract, and a trial of no days, naming the field', () => {
    const long = checkTerms(terms([monthly('2026-01-01')], { endDate: '2026-01-10', trial: { days: 14 } }), 'terms');
    expect(long.ok ? [] : long.issues.map((i) => i.path)).toEqual(['terms.trial.days']);
    const none = checkTerms(terms([monthly('2026-01-01')], { trial: { days: 0 } }), 'terms');
    expect(none.ok ? [] : none.issues.map((i) => i.path)).toEqual(['terms.trial.days']);
    const odd = checkTerms(
      terms([monthly('2026-01-01')], { trial: { days: 3, firstPeriod: 'later' } as never }),
      'terms',
    );
    expect(odd.ok ? [] : odd.issues.map((i) => i.path)).toEqual(['terms.trial.firstPeriod']);
  });
});
