/** The ledger's write guards: one entry per source event, and nothing unbalanced is ever written. */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invoiceIssuedEntry, type JournalEntry } from '../../domain/ledger.js';
import { openSqlite } from '../../runtime/sqlite.js';
import { atomic } from '../atomic.js';
import type { Db } from '../client.js';
import { ledgerEntries, ledgerLines } from '../schema.js';
import { ledgerStatements } from './ledger.js';

let db: Db;
let close: () => void;
beforeEach(() => {
  ({ db, close } = openSqlite(':memory:'));
});
afterEach(() => close());

const issued = () => {
  const entry = invoiceIssuedEntry({ number: 'INV-1', currency: 'EUR', subtotalMinor: 10_000, taxMinor: 1_900 });
  if (!entry.ok) throw new Error(entry.reason);
  return entry.value;
};

describe('ledger writes', () => {
  it('books one entry per source event however often it is written', async () => {
    const source = { type: 'invoice', id: 'inv_1' };
    for (let i = 0; i < 3; i++) {
      await atomic(db, await ledgerStatements(db, 'org_1', source, issued(), '2026-03-01T00:00:00Z', '2026-03-01'));
    }
    // Another org's invoice with the same id is its own event.
    await atomic(db, await ledgerStatements(db, 'org_2', source, issued(), '2026-03-01T00:00:00Z', '2026-03-01'));
    expect(await db.select().from(ledgerEntries).where(eq(ledgerEntries.orgId, 'org_1'))).toHaveLength(1);
    expect(await db.select().from(ledgerLines).where(eq(ledgerLines.orgId, 'org_1'))).toHaveLength(3);
    expect(await db.select().from(ledgerEntries)).toHaveLength(2);
  });

  it('refuses to write an entry whose debits and credits differ in a currency', async () => {
    const lopsided: JournalEntry = {
      kind: 'invoice_issued',
      memo: 'lopsided',
      lines: [
        { account: 'accounts_receivable', currency: 'EUR', debitMinor: 100, creditMinor: 0 },
        { account: 'revenue', currency: 'USD', debitMinor: 0, creditMinor: 100 },
      ],
    };
    await expect(
      ledgerStatements(db, 'org_1', { type: 'invoice', id: 'inv_2' }, lopsided, '2026-03-01T00:00:00Z', '2026-03-01'),
    ).rejects.toThrow(/unbalanced in EUR/);
    expect(await db.select().from(ledgerEntries)).toHaveLength(0);
  });
});
