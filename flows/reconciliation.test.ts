/**
 * The reconciliation flow over many documents: the hub's side is read a chunk at a time (never
 * the whole month at once), every document is asked of the ERP once, and the run keeps exactly
 * the disagreements. Against the in-memory ERP of the contract suites, on an in-memory database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInMemoryErp } from '../adapters/contract/in-memory-erp.contract.js';
import type { AdapterSet, ErpPort } from '../adapters/ports.js';
import type { Db } from '../src/db/client.js';
import { latestRun, listItemsPage } from '../src/db/repos/reconciliation.js';
import { invoices } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { ok } from '../src/domain/outcome.js';
import { openSqlite } from '../src/runtime/sqlite.js';
import { RECONCILIATION_CHUNK, runNightlyReconciliation, runReconciliation } from './reconciliation.js';

const ORG = 'org_recon';
let db: Db;
let close: () => void;
const clock = new ManualClock('2026-12-03T02:00:00Z');

beforeEach(() => {
  ({ db, close } = openSqlite(':memory:'));
});
afterEach(() => close());

const number = (i: number) => `INV-${String(i).padStart(5, '0')}`;

async function seedInvoices(n: number) {
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `inv_${String(i).padStart(5, '0')}`,
    orgId: ORG,
    number: number(i),
    contractId: `ctr_${i}`,
    customerId: 'cus_1',
    kind: 'advance' as const,
    periodStart: '2026-12-01',
    periodEnd: '2027-01-01',
    status: 'finalized' as const,
    currency: 'USD',
    subtotalMinor: 10_000,
    taxMinor: 0,
    totalMinor: 10_000,
    amountPaidMinor: 0,
    issueDate: '2026-12-01',
    dueDate: '2026-12-31',
    rounding: '{}',
    createdAt: '2026-12-01T00:00:00.000Z',
    documentKind: 'recurring' as const,
  }));
  for (let i = 0; i < rows.length; i += 50) await db.insert(invoices).values(rows.slice(i, i + 50));
}

/** The ERP with every invoice but the skipped ones, one of them at another total. */
async function erpHolding(n: number, skip: Set<number>, wrongTotal: number) {
  const erp = createInMemoryErp();
  const customer = await erp.port.createCustomer(
    { localId: 'c', displayName: 'Acme', email: null, currency: 'USD' },
    { idempotencyKey: 'c' },
  );
  if (!customer.ok) throw new Error('seed');
  for (let i = 0; i < n; i++) {
    if (skip.has(i)) continue;
    const total = i === wrongTotal ? '100.01' : '100.00';
    await erp.port.createInvoice(
      {
        invoiceNumber: number(i),
        customerExternalId: customer.value.externalId,
        currency: 'USD',
        issueDate: '2026-12-01',
        dueDate: '2026-12-31',
        lines: [{ itemExternalId: '1', description: 'x', quantity: '1', unitPrice: total, amount: total }],
        totalTax: '0',
        total,
      },
      { idempotencyKey: `inv-${i}` },
    );
  }
  return erp;
}

function adaptersWith(erp: ErpPort): AdapterSet {
  return {
    crm: {},
    erp,
    payment: { vendor: 'stripe' },
    tax: {},
    settings: {},
  } as unknown as AdapterSet;
}

describe('runReconciliation', () => {
  it('pages through a big month a chunk at a time and keeps exactly the disagreements', async () => {
    const n = RECONCILIATION_CHUNK * 2 + 37;
    await seedInvoices(n);
    const erp = await erpHolding(n, new Set([3, 150, n - 1]), 201);
    let reads = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const port: ErpPort = {
      ...erp.port,
      readDocument: async (kind, ref) => {
        reads++;
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        const answer = await erp.port.readDocument!(kind, ref);
        inFlight--;
        return answer;
      },
    };
    const result = await runReconciliation(
      { db, clock, adaptersFor: async () => ok(adaptersWith(port)) },
      ORG,
      'quickbooks',
      '2026-12',
      'manual',
    );
    expect(result.ok).toBe(true);
    expect(reads).toBe(n);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    const run = (await latestRun(db, ORG, 'quickbooks', '2026-12'))!;
    expect(run).toMatchObject({ state: 'succeeded', checked: n, extraChecked: 0 });
    const page = await listItemsPage(db, ORG, run.id, { limit: 100, includeResolved: false });
    expect(page.rows.map((r) => `${r.kind}:${r.ref}`).sort()).toEqual(
      [
        `amount_differs:${number(201)}`,
        `missing:${number(3)}`,
        `missing:${number(150)}`,
        `missing:${number(n - 1)}`,
      ].sort(),
    );
    expect(page.open).toBe(4);
    // Another month, and another org, have nothing.
    await runReconciliation(
      { db, clock, adaptersFor: async () => ok(adaptersWith(port)) },
      ORG,
      'quickbooks',
      '2026-11',
      'manual',
    );
    expect((await latestRun(db, ORG, 'quickbooks', '2026-11'))!.checked).toBe(0);
    expect(await latestRun(db, 'org_other', 'quickbooks', '2026-12')).toBeUndefined();
  });

  it('a vendor failing mid-run keeps the run as failed, with the reason', async () => {
    await seedInvoices(5);
    const erp = await erpHolding(5, new Set(), -1);
    erp.inject({ kind: 'status', status: 503 }, 1);
    const result = await runReconciliation(
      { db, clock, adaptersFor: async () => ok(adaptersWith(erp.port)) },
      ORG,
      'quickbooks',
      '2026-12',
      'manual',
    );
    expect(result.ok).toBe(false);
    const run = (await latestRun(db, ORG, 'quickbooks', '2026-12'))!;
    expect(run.state).toBe('failed');
    expect(run.note).toMatch(/503/);
  });

  it('an ERP adapter without readDocument: not supported (422), nothing kept', async () => {
    const { readDocument: _none, ...port } = createInMemoryErp().port;
    const result = await runReconciliation(
      { db, clock, adaptersFor: async () => ok(adaptersWith(port as ErpPort)) },
      ORG,
      'quickbooks',
      '2026-12',
      'manual',
    );
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 422 });
    expect(await latestRun(db, ORG, 'quickbooks', '2026-12')).toBeUndefined();
  });
});

describe('runNightlyReconciliation', () => {
  it('every org, every connected system that can be read back, the previous and the current month', async () => {
    await seedInvoices(2);
    const erp = await erpHolding(2, new Set(), -1);
    const key = await importEncryptionKey(generateEncryptionKey());
    const org = await createOrgWithKey(db, clock, key, { name: 'Acme', connections: [] });
    const stripe = { vendor: 'stripe', findPayment: async () => ok(null) };
    const done = await runNightlyReconciliation({
      db,
      clock,
      adaptersFor: async () => ok({ ...adaptersWith(erp.port), payment: stripe } as unknown as AdapterSet),
    });
    expect(
      done
        .filter((d) => d.orgId === org.orgId)
        .map((d) => `${d.system}:${d.period}`)
        .sort(),
    ).toEqual(['quickbooks:2026-11', 'quickbooks:2026-12', 'stripe:2026-11', 'stripe:2026-12']);
    expect(done.every((d) => d.error === undefined)).toBe(true);
  });
});
