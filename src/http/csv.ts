/**
 * RFC 4180 CSV for accountants: CRLF line ends, every field quoted when it holds a comma, a quote,
 * CR or LF (quotes doubled). Nulls are empty fields. Money columns are written by the caller as
 * decimal strings in the currency's exponent next to the integer minor units.
 */

export type CsvValue = string | number | null;

function field(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => `${row.map(field).join(',')}\r\n`).join('');
}

/** True when the client asked for CSV (Accept: text/csv) rather than JSON. */
export function wantsCsv(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.trim().toLowerCase().startsWith('text/csv'));
}
