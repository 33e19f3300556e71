/**
 * The one grammar for the values the hub takes from outside: decimal strings, calendar dates
 * and timestamps. Every route, mapping and vendor parser checks these by the functions here, so
 * "12.50" or "2026-03-01T00:00:00+01:00" means the same wherever it is sent, and a value the
 * rest of the hub could not carry (a year 9999 that overflows date arithmetic, an offset of
 * +99:00 that JavaScript's Date silently accepts, 400 digits a decimal rounds) is refused at the
 * edge with a message naming the rule.
 */
import { z } from 'zod';

/** The supported range of dates and timestamps (inclusive). */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2199;

/**
 * Digits a decimal string may carry on each side of the point. Pricing computes with 80
 * significant digits (pricing/decimal.ts), so the product of two bounded values stays exact.
 */
export const MAX_INTEGER_DIGITS = 30;
export const MAX_FRACTION_DIGITS = 30;

const DECIMAL = new RegExp(`^-?\\d{1,${MAX_INTEGER_DIGITS}}(\\.\\d{1,${MAX_FRACTION_DIGITS}})?$`);
const NON_NEGATIVE_DECIMAL = new RegExp(`^\\d{1,${MAX_INTEGER_DIGITS}}(\\.\\d{1,${MAX_FRACTION_DIGITS}})?$`);

/** "12", "-3.50": plain notation, no exponent, no spaces, no thousands separator, no leading "+" or ".". */
export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value);
}

/** A decimal string without a sign ("0.05", "12"). */
export function isNonNegativeDecimalString(value: unknown): value is string {
  return typeof value === 'string' && NON_NEGATIVE_DECIMAL.test(value);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Year, month, day of a YYYY-MM-DD that names a real day in the supported range; else null. */
function calendarDay(value: string): [number, number, number] | null {
  if (value.length !== 10 || value[4] !== '-' || value[7] !== '-') return null;
  const y = digits(value, 0, 4);
  const m = digits(value, 5, 7);
  const d = digits(value, 8, 10);
  if (y < MIN_YEAR || y > MAX_YEAR || m < 1 || m > 12 || d < 1) return null;
  const last = m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]!;
  return d <= last ? [y, m, d] : null;
}

/** The number written by value[from, to) if it is all ASCII digits, else -1. */
function digits(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** YYYY-MM-DD naming a real calendar day ("2026-02-30" is not one) in the years 2000–2199. */
export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && calendarDay(value) !== null;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds of an RFC 3339 date-time with a time zone ("2026-03-02T09:00:00Z",
 * "2026-03-02T10:00:00.5+01:00"), or null when it is not one: no local times, hours 00–23,
 * minutes and seconds 00–59, offsets within ±14:00 (the widest in use), date as isIsoDate.
 */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const utc = utcTimestamp(value);
  if (utc !== undefined) return utc;
  const m = TIMESTAMP.exec(value);
  if (!m) return null;
  const day = calendarDay(m[1]!);
  if (!day) return null;
  const [hh, mm, ss] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (hh > 23 || mm > 59 || ss > 59) return null;
  let offsetMinutes = 0;
  if (m[6] !== 'Z') {
    const [oh, om] = [Number(m[8]), Number(m[9])];
    if (oh > 14 || om > 59 || (oh === 14 && om > 0)) return null;
    offsetMinutes = (m[7] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number((m[5] ?? '').padEnd(3, '0').slice(0, 3));
  return Date.UTC(day[0], day[1] - 1, day[2], hh, mm, ss, ms) - offsetMinutes * 60_000;
}

/**
 * The form most senders use, "YYYY-MM-DDTHH:MM:SSZ" or with ".sss" milliseconds (what
 * Date.prototype.toISOString writes), read digit by digit: the regex, its capture strings and the
 * Number() of each were most of the cost of checking a 10,000-event batch. Its answer is the one
 * the general path below gives (grammar.test.ts compares them); undefined hands any other shape,
 * valid or not, to the general path.
 */
function utcTimestamp(value: string): number | null | undefined {
  const length = value.length;
  if (length !== 20 && length !== 24) return undefined;
  if (value.charCodeAt(10) !== 84 /* T */ || value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) {
    return undefined;
  }
  if (value.charCodeAt(length - 1) !== 90 /* Z */ || (length === 24 && value.charCodeAt(19) !== 46)) return undefined;
  const hh = digits(value, 11, 13);
  const mm = digits(value, 14, 16);
  const ss = digits(value, 17, 19);
  const ms = length === 24 ? digits(value, 20, 23) : 0;
  if (hh < 0 || mm < 0 || ss < 0 || ms < 0) return undefined;
  const day = calendarDay(value.slice(0, 10));
  if (!day || hh > 23 || mm > 59 || ss > 59) return null;
  return Date.UTC(day[0], day[1] - 1, day[2], hh, mm, ss, ms);
}

export function isTimestamp(value: unknown): value is string {
  return parseTimestamp(value) !== null;
}

export const DATE_RULE = `must be a date YYYY-MM-DD in the years ${MIN_YEAR}–${MAX_YEAR}`;
export const TIMESTAMP_RULE = `must be an ISO 8601 date-time with a time zone in the years ${MIN_YEAR}–${MAX_YEAR}, e.g. 2026-03-02T09:00:00Z`;
export const DECIMAL_RULE = `must be a decimal string such as "12.50" (no exponent, spaces or separators; at most ${MAX_INTEGER_DIGITS} digits before the point and ${MAX_FRACTION_DIGITS} after)`;
export const NON_NEGATIVE_DECIMAL_RULE = `must be a non-negative decimal string such as "12.50" (no sign, exponent, spaces or separators; at most ${MAX_INTEGER_DIGITS} digits before the point and ${MAX_FRACTION_DIGITS} after)`;

/** The zod forms, for request and mapping schemas. */
export const isoDateSchema = z.string({ error: DATE_RULE }).refine(isIsoDate, DATE_RULE);
export const timestampSchema = z.string({ error: TIMESTAMP_RULE }).refine(isTimestamp, TIMESTAMP_RULE);
export const decimalStringSchema = z.string({ error: DECIMAL_RULE }).refine(isDecimalString, DECIMAL_RULE);
export const nonNegativeDecimalStringSchema = z
  .string({ error: NON_NEGATIVE_DECIMAL_RULE })
  .refine(isNonNegativeDecimalString, NON_NEGATIVE_DECIMAL_RULE);

/** A JSON number the hub can carry exactly as an integer: refused outside ±(2^53 − 1). */
export const safeIntegerSchema = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** A zod issue as the hub reports it: the path at fault and what is wrong there. */
export interface InputIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * zod's issues with each unknown key as its own issue at its own path ("terms.phases.0.colour:
 * is not a known field"), so a 400 names the field itself rather than the object around it.
 */
export function inputIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
): InputIssue[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && issue.keys && issue.keys.length > 0
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'is not a known field' }))
      : [{ path: [...issue.path], message: issue.message }],
  );
}
