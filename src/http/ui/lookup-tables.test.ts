import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../../mappings/index.js';
import type { FieldProblem } from '../problem.js';
import { readLookupTables, splitLookups, tablesFromForm } from './lookup-tables.js';

/** The form fields the editor renders for these tables (plus one blank row each). */
function formOf(tables: ReturnType<typeof splitLookups>['tables']): Record<string, string> {
  const body: Record<string, string> = {};
  tables.forEach((t, i) => {
    body[`lt.${i}.name`] = t.name;
    [...t.rows, { from: '', to: '' }].forEach((r, j) => {
      body[`lt.${i}.from.${j}`] = r.from;
      body[`lt.${i}.to.${j}`] = r.to;
    });
  });
  return body;
}

describe('lookup tables', () => {
  it('shows map lookups as rows and reads them back unchanged; lists stay in the JSON', () => {
    const { lookups } = defaultMappings.salesforce;
    const { tables, rest } = splitLookups(lookups);
    expect(tables.map((t) => t.name)).toEqual(['products', 'currencyCodes']);
    expect(Object.keys(rest)).toEqual(['flatFeeFamilies', 'billingContactRoles']);
    expect(tables[1]!.rows[0]).toEqual({ from: 'US$', to: 'USD' });
    expect(tables[0]!.rows[0]!.to).toBe('{"sku":"PLATFORM","name":"Platform fee","model":"flat_fee"}');
    const errors: FieldProblem[] = [];
    expect({ ...rest, ...readLookupTables(formOf(tables), errors) }).toEqual(lookups);
    expect(errors).toEqual([]);
  });

  it('drops blank rows and a nameless empty table, keeps an emptied table as {}', () => {
    const body = { ...formOf([{ name: 'stages', rows: [] }]), 'lt.1.name': '', 'lt.1.from.0': '', 'lt.1.to.0': '' };
    expect(tablesFromForm(body)).toEqual([
      { name: 'stages', rows: [] },
      { name: '', rows: [] },
    ]);
    const errors: FieldProblem[] = [];
    expect(readLookupTables(body, errors)).toEqual({ stages: {} });
    expect(errors).toEqual([]);
  });

  it('puts each problem at its table', () => {
    const body = formOf([
      {
        name: 'codes',
        rows: [
          { from: 'A', to: '1' },
          { from: 'A', to: '2' },
          { from: '', to: 'orphan' },
          { from: 'B', to: '{"broken": ' },
        ],
      },
      { name: '', rows: [{ from: 'x', to: 'y' }] },
      { name: 'codes', rows: [] },
    ]);
    const errors: FieldProblem[] = [];
    readLookupTables(body, errors);
    expect(errors.map((e) => e.field)).toEqual([
      'lookup_tables.0',
      'lookup_tables.0',
      'lookup_tables.0',
      'lookup_tables.1',
      'lookup_tables.2',
    ]);
    expect(errors.map((e) => e.message).join(' | ')).toMatch(
      /"A" appears twice \| the row mapping to orphan has no "from" value \| "B" → not valid JSON.*\| name the table.*\| there is another table named codes/,
    );
  });
});
