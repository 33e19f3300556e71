/** Migration 0013 (customer credit): registered for both runtimes, and a balance is the sum of its entries. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrationStatements } from '../runtime/d1.js';
import { MIGRATIONS_DIR } from '../runtime/sqlite.js';

const files = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();

describe('migration 0013 (customer credit)', () => {
  it('is registered in the journal both runtimes read', () => {
    expect(files).toContain('0013_customer_credit.sql');
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8'));
    expect(journal.entries).toContainEqual(expect.objectContaining({ idx: 13, tag: '0013_customer_credit' }));
  });

  it('keeps grants and draws as entries; one id each, so a replayed write adds nothing', () => {
    const db = new Database(':memory:');
    for (const file of files) {
      for (const statement of migrationStatements(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'))) db.exec(statement);
    }
    const insert = db.prepare(
      `INSERT OR IGNORE INTO customer_credit_entries (id, org_id, customer_id, currency, amount_minor, credit_note_id,
         invoice_id, created_at) VALUES (?, 'org_1', 'cus_1', 'USD', ?, ?, ?, '2026-03-01T00:00:00Z')`,
    );
    insert.run('ccr_note', 5000, 'cn_1', null);
    insert.run('ccr_note', 5000, 'cn_1', null);
    insert.run('ccr_inv', -3000, null, 'inv_1');
    const { balance } = db
      .prepare(
        `SELECT sum(amount_minor) AS balance FROM customer_credit_entries WHERE org_id = 'org_1' AND customer_id = 'cus_1'`,
      )
      .get() as { balance: number };
    expect(balance).toBe(2000);
    db.close();
  });
});
