/** Migration 0011 on a database from before it: numbers become optional, every row and number is kept. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrationStatements } from '../runtime/d1.js';
import { MIGRATIONS_DIR } from '../runtime/sqlite.js';

const files = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const at0011 = files.indexOf('0011_billing_policy.sql');

function apply(db: Database.Database, file: string) {
  for (const statement of migrationStatements(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'))) db.exec(statement);
}

const insertInvoice = `INSERT INTO invoices (id, org_id, number, contract_id, customer_id, kind, period_start, period_end,
  status, currency, subtotal_minor, tax_minor, total_minor, amount_paid_minor, issue_date, due_date, rounding, created_at,
  document_kind) VALUES (?, 'org_1', ?, 'con_1', 'cus_1', 'advance', ?, '2026-03-01', ?, 'USD', 100, 0, 100, 0,
  '2026-02-01', '2026-03-01', '{}', '2026-02-01T00:00:00.000Z', 'recurring')`;

describe('migration 0011 (finalize policy, numbers at finalize)', () => {
  it('keeps every invoice and its number, lets drafts have none, and still refuses a number twice', () => {
    expect(at0011).toBeGreaterThan(0);
    const db = new Database(':memory:');
    for (const file of files.slice(0, at0011)) apply(db, file);
    db.prepare(insertInvoice).run('inv_paid', 'INV-000001', '2026-01-01', 'paid');
    db.prepare(insertInvoice).run('inv_draft', 'INV-000002', '2026-02-01', 'draft');
    apply(db, files[at0011]!);

    expect(db.prepare('SELECT id, number, status, tax_pending_reason FROM invoices ORDER BY id').all()).toEqual([
      { id: 'inv_draft', number: 'INV-000002', status: 'draft', tax_pending_reason: null },
      { id: 'inv_paid', number: 'INV-000001', status: 'paid', tax_pending_reason: null },
    ]);
    // Drafts written from now on have no number; many may wait at once.
    db.prepare(insertInvoice).run('inv_new1', null, '2026-03-01', 'draft');
    db.prepare(insertInvoice).run('inv_new2', null, '2026-04-01', 'draft');
    expect(() => db.prepare(insertInvoice).run('inv_dup', 'INV-000001', '2026-05-01', 'draft')).toThrow(/UNIQUE/);
    expect(db.prepare('SELECT count(*) AS n FROM org_billing_settings').get()).toEqual({ n: 0 });
  });
});
