/**
 * Renewal policy. A contract with an end date and `auto_renew` renews for `termMonths` (default:
 * the length of its initial term, in months) each time it reaches its end, until an amendment
 * changes that: for billing, the terms in force through a date are the renewed terms. The last
 * phase runs on with the contract (a renewal keeps the prices in force at the end of the term;
 * price changes at renewal are amendments or price versions).
 */
import { addMonths } from '../dates.js';
import type { ContractTerms } from './terms.js';

/** Renewals computed at most this many times (100 years of monthly terms) — a guard, not a policy. */
const MAX_RENEWALS = 1200;

function monthsBetween(start: string, end: string): number {
  const [y1, m1] = start.split('-').map(Number) as [number, number];
  const [y2, m2] = end.split('-').map(Number) as [number, number];
  return Math.max(1, (y2 - y1) * 12 + (m2 - m1));
}

/** The terms as renewed so that they run past `through` (unchanged when they do not auto-renew). */
export function renewedThrough(terms: ContractTerms, through: string): ContractTerms {
  const { endDate } = terms;
  if (terms.renewal.policy !== 'auto_renew' || endDate === null || endDate > through) return terms;
  const months = terms.renewal.termMonths ?? monthsBetween(terms.startDate, endDate);
  let end = endDate;
  for (let i = 0; i < MAX_RENEWALS && end <= through; i++) end = addMonths(end, months);
  return {
    ...terms,
    endDate: end,
    phases: terms.phases.map((phase) => (phase.end === endDate ? { ...phase, end } : phase)),
  };
}
