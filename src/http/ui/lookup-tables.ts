/**
 * Lookup tables edited as tables in the mapping editor. A lookup that maps keys to values
 * (`$lookups.currencyCodes`: "US$" → "USD", `$lookups.products`: "SEAT" → {sku, name, model}) is
 * shown as rows of from → to; the others (lists such as `flatFeeFamilies`) stay in the JSON box.
 *
 * The form names each cell by position (`lt.0.name`, `lt.0.from.3`, `lt.0.to.3`), so no field repeats
 * and the posted form reads back in order. A "to" cell holds text; one that starts with `{` or `[` is
 * JSON (a product's price spec), anything else is the string itself.
 */
import type { FieldProblem } from '../problem.js';

export interface LookupTable {
  name: string;
  rows: { from: string; to: string }[];
}

/** Blank rows under each table (and the rows of the blank table that adds a new one). */
export const BLANK_ROWS = 3;
const MAX_TABLES = 50;
const MAX_ROWS = 1000;

export const tableSlot = (index: number) => `lookup_tables.${index}`;

const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const cellText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** The map lookups as tables, and every other lookup as it was. */
export function splitLookups(lookups: Record<string, unknown>): {
  tables: LookupTable[];
  rest: Record<string, unknown>;
} {
  const tables: LookupTable[] = [];
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(lookups)) {
    if (isMap(value)) {
      tables.push({ name, rows: Object.entries(value).map(([from, to]) => ({ from, to: cellText(to) })) });
    } else {
      rest[name] = value;
    }
  }
  return { tables, rest };
}

type Body = Record<string, unknown>;
const str = (body: Body, name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);

/** The tables as posted, cells as typed (for showing the form again). Blank rows are dropped. */
export function tablesFromForm(body: Body): LookupTable[] {
  const tables: LookupTable[] = [];
  for (let i = 0; i < MAX_TABLES; i++) {
    const name = str(body, `lt.${i}.name`);
    if (name === undefined) break;
    const rows: LookupTable['rows'] = [];
    for (let j = 0; j < MAX_ROWS; j++) {
      const from = str(body, `lt.${i}.from.${j}`);
      const to = str(body, `lt.${i}.to.${j}`);
      if (from === undefined && to === undefined) break;
      if ((from ?? '').trim() === '' && (to ?? '').trim() === '') continue;
      rows.push({ from: (from ?? '').trim(), to: (to ?? '').trim() });
    }
    tables.push({ name: name.trim(), rows });
  }
  return tables;
}

/**
 * The posted tables as lookups, with each problem at its table's slot (a blank key, a key twice, a
 * "to" that looks like JSON but is not). A table left without rows and without a name is dropped.
 */
export function readLookupTables(body: Body, errors: FieldProblem[]): Record<string, unknown> {
  const lookups: Record<string, unknown> = {};
  tablesFromForm(body).forEach((table, i) => {
    const field = tableSlot(i);
    if (table.name === '') {
      if (table.rows.length > 0) errors.push({ field, message: 'name the table (its name is $lookups.<name>)' });
      return;
    }
    if (table.name in lookups) {
      errors.push({ field, message: `there is another table named ${table.name}` });
      return;
    }
    const map: Record<string, unknown> = {};
    for (const row of table.rows) {
      if (row.from === '') {
        errors.push({ field, message: `the row mapping to ${row.to} has no "from" value` });
        continue;
      }
      if (row.from in map) {
        errors.push({ field, message: `"${row.from}" appears twice` });
        continue;
      }
      map[row.from] = parseCell(row.to, row.from, field, errors);
    }
    lookups[table.name] = map;
  });
  return lookups;
}

function parseCell(text: string, from: string, field: string, errors: FieldProblem[]): unknown {
  if (!/^[{[]/.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    errors.push({ field, message: `"${from}" → not valid JSON: ${(error as Error).message}` });
    return text;
  }
}
