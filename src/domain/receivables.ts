/**
 * Receivables aging: what customers still owe, by how many days past its due date, per customer
 * and currency (amounts in one currency are never added to another's). Pure: the day the report
 * is "as of" is a parameter.
 */
import { daysBetween } from './dates.js';

export const AGING_BUCKETS = ['current', 'days_1_30', 'days_31_60', 'days_61_90', 'days_over_90'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** current: not yet due (or due today); then 1–30, 31–60, 61–90 and over 90 days past due. */
export function agingBucket(dueDate: string, asOf: string): AgingBucket {
  const late = daysBetween(dueDate, asOf);
  if (late <= 0) return 'current';
  if (late <= 30) return 'days_1_30';
  if (late <= 60) return 'days_31_60';
  if (late <= 90) return 'days_61_90';
  return 'days_over_90';
}

export interface OpenReceivable {
  customerId: string;
  customerName: string;
  currency: string;
  dueDate: string;
  /** What is still due, in minor units (> 0). */
  dueMinor: number;
}

export type Buckets = Record<AgingBucket, number> & { total: number };

export interface AgingRow extends Buckets {
  customerId: string;
  customerName: string;
  currency: string;
  invoices: number;
}

export interface AgingReport {
  asOf: string;
  rows: AgingRow[];
  /** One line per currency, each bucket the sum of its rows. */
  totals: (Buckets & { currency: string; invoices: number })[];
}

const empty = (): Buckets => ({ current: 0, days_1_30: 0, days_31_60: 0, days_61_90: 0, days_over_90: 0, total: 0 });

export function ageReceivables(open: readonly OpenReceivable[], asOf: string): AgingReport {
  const rows = new Map<string, AgingRow>();
  const totals = new Map<string, AgingReport['totals'][number]>();
  for (const r of open) {
    if (r.dueMinor <= 0) continue;
    const bucket = agingBucket(r.dueDate, asOf);
    const key = `${r.customerId}\u0000${r.currency}`;
    const row = rows.get(key) ?? {
      customerId: r.customerId,
      customerName: r.customerName,
      currency: r.currency,
      invoices: 0,
      ...empty(),
    };
    row[bucket] += r.dueMinor;
    row.total += r.dueMinor;
    row.invoices += 1;
    rows.set(key, row);
    const total = totals.get(r.currency) ?? { currency: r.currency, invoices: 0, ...empty() };
    total[bucket] += r.dueMinor;
    total.total += r.dueMinor;
    total.invoices += 1;
    totals.set(r.currency, total);
  }
  const byName = (a: AgingRow, b: AgingRow) =>
    a.customerName.localeCompare(b.customerName) ||
    a.customerId.localeCompare(b.customerId) ||
    a.currency.localeCompare(b.currency);
  return {
    asOf,
    rows: [...rows.values()].sort(byName),
    totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}
