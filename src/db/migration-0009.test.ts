/** Migration 0009 on a database holding invoices from before it: every row keeps its data and gets its kind. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrationStatements } from '../runtime/d1.js';
import { MIGRATIONS_DIR } from '../runtime/sqlite.js';

const files = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const at0009 = files.indexOf('0009_invoice_lifecycle.sql');

function apply(db: Database.Database, file: string) {
  for (const statement of migrationStatements(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'))) db.exec(statement);
}

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-02-01T06:00:00.000Z';

function contract(db: Database.Database, id: string, version: number, createdAt: string) {
  db.prepare(
    `INSERT INTO contracts (id, org_id, customer_id, source_system, source_deal_id, version, status, currency, start_date,
       billing_cadence, billing_timing, payment_terms_days, mapping_version, created_at)
     VALUES (?, 'org_1', 'cus_1', 'salesforce', '006A', ?, 'active', 'USD', '2026-01-01', 'monthly', 'in_advance', 30, 'v1', ?)`,
  ).run(id, version, createdAt);
}

function invoice(
  db: Database.Database,
  row: { id: string; contract: string; kind: string; start: string; end: string; createdAt: string; status?: string },
) {
  db.prepare(
    `INSERT INTO invoices (id, org_id, number, contract_id, customer_id, kind, period_start, period_end, status, currency,
       subtotal_minor, tax_minor, total_minor, amount_paid_minor, issue_date, due_date, rounding, created_at)
     VALUES (?, 'org_1', ?, ?, 'cus_1', ?, ?, ?, ?, 'USD', 12000, 0, 12000, 0, ?, ?, '{}', ?)`,
  ).run(
    row.id,
    `INV-${row.id}`,
    row.contract,
    row.kind,
    row.start,
    row.end,
    row.status ?? 'draft',
    row.start,
    row.end,
    row.createdAt,
  );
}

describe('migration 0009 (invoice lifecycle)', () => {
  it('is registered in the journal both runtimes read', () => {
    expect(at0009).toBeGreaterThan(0);
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8'));
    expect(journal.entries).toContainEqual(expect.objectContaining({ idx: 9, tag: '0009_invoice_lifecycle' }));
  });

  it('gives existing invoices their kind and links credit notes, keeping every other column', () => {
    const db = new Database(':memory:');
    for (const file of files.slice(0, at0009)) apply(db, file);
    contract(db, 'con_v1', 1, T0);
    contract(db, 'con_v2', 2, T1);
    invoice(db, {
      id: 'first',
      contract: 'con_v1',
      kind: 'advance',
      start: '2026-01-01',
      end: '2026-02-01',
      createdAt: T0,
      status: 'paid',
    });
    invoice(db, {
      id: 'feb',
      contract: 'con_v1',
      kind: 'advance',
      start: '2026-02-01',
      end: '2026-03-01',
      createdAt: T1,
    });
    invoice(db, {
      id: 'jan_use',
      contract: 'con_v1',
      kind: 'arrears',
      start: '2026-01-01',
      end: '2026-02-01',
      createdAt: T1,
    });
    invoice(db, {
      id: 'legacy',
      contract: 'con_v1',
      kind: 'recurring',
      start: '2025-12-01',
      end: '2026-01-01',
      createdAt: T0,
    });
    invoice(db, {
      id: 'cn',
      contract: 'con_v1',
      kind: 'credit_note',
      start: '2026-02-16',
      end: '2026-03-01',
      createdAt: T1,
    });
    invoice(db, {
      id: 'prorated',
      contract: 'con_v2',
      kind: 'advance',
      start: '2026-02-16',
      end: '2026-03-01',
      createdAt: T1,
    });
    db.prepare(
      `INSERT INTO invoice_lines (id, org_id, invoice_id, line_no, product_id, description, quantity, unit_amount,
         amount_minor, tax_minor, line_kind) VALUES ('l1', 'org_1', 'prorated', 1, 'prd_1', 'Seats', '10', '6.00', 6000, 0, 'proration')`,
    ).run();

    apply(db, files[at0009]!);

    const rows = db
      .prepare(
        'SELECT id, status, total_minor, document_kind, billing_run_id, credited_invoice_id FROM invoices ORDER BY id',
      )
      .all();
    expect(rows).toEqual([
      {
        id: 'cn',
        status: 'draft',
        total_minor: 12000,
        document_kind: 'credit_note',
        billing_run_id: null,
        credited_invoice_id: 'feb',
      },
      {
        id: 'feb',
        status: 'draft',
        total_minor: 12000,
        document_kind: 'recurring',
        billing_run_id: null,
        credited_invoice_id: null,
      },
      {
        id: 'first',
        status: 'paid',
        total_minor: 12000,
        document_kind: 'first',
        billing_run_id: null,
        credited_invoice_id: null,
      },
      {
        id: 'jan_use',
        status: 'draft',
        total_minor: 12000,
        document_kind: 'usage',
        billing_run_id: null,
        credited_invoice_id: null,
      },
      {
        id: 'legacy',
        status: 'draft',
        total_minor: 12000,
        document_kind: 'first',
        billing_run_id: null,
        credited_invoice_id: null,
      },
      {
        id: 'prorated',
        status: 'draft',
        total_minor: 12000,
        document_kind: 'proration',
        billing_run_id: null,
        credited_invoice_id: null,
      },
    ]);
    db.close();
  });
});

describe('migration 0012 (credit notes)', () => {
  it('is registered in the journal both runtimes read', () => {
    expect(files).toContain('0012_credit_notes.sql');
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8'));
    expect(journal.entries).toContainEqual(expect.objectContaining({ idx: 12, tag: '0012_credit_notes' }));
  });

  it('lets an invoice have several credit notes of one period; other kinds keep one per period', () => {
    const db = new Database(':memory:');
    for (const file of files) apply(db, file);
    const insert = (id: string, kind: string) =>
      db
        .prepare(
          `INSERT INTO invoices (id, org_id, number, contract_id, customer_id, kind, period_start, period_end, status,
             currency, subtotal_minor, tax_minor, total_minor, amount_paid_minor, issue_date, due_date, rounding,
             created_at, document_kind)
           VALUES (?, 'org_1', ?, 'con_1', 'cus_1', ?, '2026-03-01', '2026-04-01', 'draft', 'USD', 1, 0, 1, 0,
             '2026-03-01', '2026-03-31', '{}', '${T0}', ?)`,
        )
        .run(id, `N-${id}`, kind, kind === 'credit_note' ? 'credit_note' : 'recurring');
    insert('cn1', 'credit_note');
    insert('cn2', 'credit_note');
    insert('adv1', 'advance');
    expect(() => insert('adv2', 'advance')).toThrow(/UNIQUE/);
  });
});
