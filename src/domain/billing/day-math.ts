/**
 * Fast calendar arithmetic for billing. A billing run walks the period grid millions of times;
 * dates.ts builds a Date and formats it with toISOString at every step, which dominated the run.
 * These do the same arithmetic on integers for the dates terms hold (well-formed YYYY-MM-DD in
 * years 100-9999: Date.UTC maps years 0-99 to 1900-1999, and toISOString signs years past 9999)
 * and hand everything else to dates.ts, so every input gets dates.ts's answer (or its error);
 * day-math.test.ts checks that against dates.ts.
 */
import { addDays, addMonths, isIsoDate } from '../dates.js';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month0: number): number {
  if (month0 === 1 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month0]!;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatDay(year: number, month1: number, day: number): string {
  return `${year < 1000 ? String(year).padStart(4, '0') : String(year)}-${pad2(month1)}-${pad2(day)}`;
}

/** [year, month 1-12, day] of a well-formed date naming a real day in years 100-9999, else null. */
function parseDay(isoDate: string): [number, number, number] | null {
  if (typeof isoDate !== 'string' || !ISO_DAY.test(isoDate)) return null;
  const y = Number(isoDate.slice(0, 4));
  const m = Number(isoDate.slice(5, 7));
  const d = Number(isoDate.slice(8, 10));
  if (y < 100 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m - 1)) return null;
  return [y, m, d];
}

/** The month index y × 12 + (m − 1) of a date, read like dates.ts reads it (split on '-'). */
export function monthIndexOf(date: string): number {
  if (ISO_DAY.test(date)) return Number(date.slice(0, 4)) * 12 + (Number(date.slice(5, 7)) - 1);
  const [y, m] = date.split('-').map(Number) as [number, number];
  return y * 12 + (m - 1);
}

/** dates.ts addMonths (clamped to the month's last day), without a Date for the usual dates. */
export function addMonthsFast(isoDate: string, months: number): string {
  const parsed = parseDay(isoDate);
  if (parsed !== null && Number.isSafeInteger(months)) {
    const [y, m, day] = parsed;
    const target = m - 1 + months;
    const year = y + Math.floor(target / 12);
    const month0 = ((target % 12) + 12) % 12;
    if (year >= 100 && year <= 9999) return formatDay(year, month0 + 1, Math.min(day, daysInMonth(year, month0)));
  }
  return addMonths(isoDate, months);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of daysFromCivil (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day];
}

/** Days since 1970-01-01 of a date (negative before); day grids count from it. */
export function dayIndexOf(isoDate: string): number {
  const parsed = parseDay(isoDate);
  if (parsed !== null) return daysFromCivil(parsed[0], parsed[1], parsed[2]);
  return Math.round(Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000);
}

/** The number of days in a month (month 1-12). */
export function monthLength(year: number, month1: number): number {
  return daysInMonth(year, month1 - 1);
}

/** dates.ts addDays, without a Date for the usual dates and day counts. */
export function addDaysFast(isoDate: string, days: number): string {
  const parsed = parseDay(isoDate);
  if (parsed !== null && Number.isSafeInteger(days) && Math.abs(days) <= 1_000_000) {
    const [year, month, day] = civilFromDays(daysFromCivil(parsed[0], parsed[1], parsed[2]) + days);
    if (year >= 100 && year <= 9999) return formatDay(year, month, day);
  }
  return addDays(isoDate, days);
}

/** dates.ts isIsoDate, remembered: billing checks the same few dozen dates over and over. */
const isoDateSeen = new Map<string, boolean>();

export function isIsoDay(value: string): boolean {
  if (typeof value !== 'string') return isIsoDate(value);
  let ok = isoDateSeen.get(value);
  if (ok === undefined) {
    ok = isIsoDate(value);
    // Bounded: a long-running process sees new dates every day; starting over is cheap.
    if (isoDateSeen.size >= 4096) isoDateSeen.clear();
    isoDateSeen.set(value, ok);
  }
  return ok;
}
