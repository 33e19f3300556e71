/**
 * A prepaid credit grant is consumed once across every invoice of its contract (all versions),
 * previews included: the March invoice that used most of it leaves only the rest to an
 * amendment's prorated charge, and a preview spends the balance once over the invoices it shows.
 * In-memory hub (better-sqlite3), the API and the billing run as a user would drive them.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBilling } from '../flows/billing-run/engine.js';
import { atomic } from '../src/db/atomic.js';
import { newId } from '../src/db/client.js';
import { prepareAmendment } from '../src/db/repos/amendments.js';
import { findContract, invoiceId } from '../src/db/repos/contracts.js';
import { creditGuardStatement } from '../src/db/repos/credits.js';
import { type InvoiceToWrite, invoiceIds, invoiceStatements } from '../src/db/repos/invoice-inserts.js';
import { customers, invoiceLines, invoices } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import type { ContractTerms } from '../src/domain/contracts/terms.js';
import { createHub, type Hub } from '../src/hub.js';
import { openSqlite } from '../src/runtime/sqlite.js';

const NOW = '2026-04-02T09:00:00.000Z';
const from = '2026-03-01';

/** `seats` × $10 monthly in advance, units at $1 in arrears, a $150 prepaid grant from March 1st. */
function terms(seats = '10'): ContractTerms {
  return {
    currency: 'USD',
    startDate: from,
    endDate: null,
    alignment: 'calendar',
    paymentTermsDays: 30,
    renewal: { policy: 'none' },
    credits: [{ id: 'promo', amount: '150.00', priority: 0, grantedOn: from }],
    phases: [
      {
        name: 'main',
        kind: 'standard',
        start: from,
        end: null,
        items: [
          {
            id: 'seats',
            sku: 'SEAT',
            description: 'Seats',
            prices: [{ effectiveFrom: from, price: { model: 'per_unit', unit_amount: '10.00' } }],
            quantity: seats,
            cadence: 'monthly',
            timing: 'in_advance',
          },
          {
            id: 'units',
            sku: 'UNIT',
            description: 'Units',
            prices: [{ effectiveFrom: from, price: { model: 'per_unit', unit_amount: '1.00' } }],
            metric: 'units',
            cadence: 'monthly',
            timing: 'in_arrears',
          },
        ],
      },
    ],
  } as ContractTerms;
}

// biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
type Json = any;

let hub: Hub;
let close: () => void;
let orgId: string;
let customerId: string;
let api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Json }>;
const clock = new ManualClock(NOW);

beforeEach(async () => {
  const sqlite = openSqlite(':memory:');
  close = sqlite.close;
  const key = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db: sqlite.db, clock, encryptionKey: key });
  const org = await createOrgWithKey(sqlite.db, clock, key, { name: 'Acme', connections: [] });
  orgId = org.orgId;
  customerId = newId('cus');
  await atomic(sqlite.db, [
    sqlite.db.insert(customers).values({
      id: customerId,
      orgId,
      name: 'Customer',
      currency: 'USD',
      sourceSystem: 'salesforce',
      sourceId: 'acct-1',
      createdAt: NOW,
    }),
  ]);
  api = async (method, path, body) => {
    const res = await hub.app.request(`/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  expect((await api('POST', '/metrics', { code: 'units', aggregation: 'sum', field: 'units' })).status).toBe(201);
  // 80 units in March: $80 on the March arrears invoice.
  const events = await api('POST', '/events', {
    transaction_id: 'tx-march',
    customer_id: customerId,
    metric: 'units',
    timestamp: '2026-03-05T00:00:00Z',
    properties: { units: 80 },
  });
  expect(events.status).toBeLessThan(300);
});
afterEach(() => close());

const createContract = async () => {
  const res = await api('POST', '/contracts', { customer_id: customerId, status: 'active', terms: terms() });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

/** Credit drawn per stored invoice, as "kind periodStart minor" (credit lines are negative). */
async function drawnPerInvoice(): Promise<string[]> {
  const rows = await hub.context.db
    .select({ kind: invoices.kind, start: invoices.periodStart, amount: invoiceLines.amountMinor })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(and(eq(invoiceLines.orgId, orgId), eq(invoiceLines.lineKind, 'credit')));
  return rows.map((r) => `${r.kind} ${r.start} ${r.amount}`).sort();
}

const creditOf = (inv: { lines: { lineKind: string; amountMinor: number }[] }) =>
  inv.lines.filter((l) => l.lineKind === 'credit').reduce((sum, l) => sum + l.amountMinor, 0);

describe('a prepaid credit grant is consumed once', () => {
  it('leaves an amendment of the same period only what the March invoice did not use', async () => {
    const v1 = await createContract();
    await runBilling({ db: hub.context.db, clock }, orgId, '2026-03-01'); // March seats: $100, all paid by credit
    expect(await drawnPerInvoice()).toEqual(['advance 2026-03-01 -10000']);

    const amended = await api('POST', `/contracts/${v1}/amendments`, {
      effective_date: '2026-03-16',
      terms: terms('20'),
    });
    expect(amended.status).toBe(201);
    const charge = amended.body.invoices.find((i: Json) => i.kind === 'advance');
    // 200.00 × 16/31 = 103.23 charged; $50 of credit left → 53.23 due.
    expect(charge.total_minor).toBe(10_323 - 5000);
    expect(await drawnPerInvoice()).toEqual(['advance 2026-03-01 -10000', 'advance 2026-03-16 -5000']);

    // The run that follows finds the grant spent.
    await runBilling({ db: hub.context.db, clock }, orgId, '2026-04-01');
    const drawn = await drawnPerInvoice();
    expect(drawn.reduce((sum, d) => sum + Number(d.split(' ')[2]), 0)).toBe(-15_000);
  });

  it('spends the balance once over the invoices a preview shows, in billing order', async () => {
    const v1 = await createContract();
    const preview = await api('GET', `/contracts/${v1}/invoice-preview?at=2026-03-10`);
    expect(preview.status).toBe(200);
    const [advance, arrears] = preview.body.invoices;
    expect([advance.kind, arrears.kind]).toEqual(['advance', 'arrears']);
    expect(creditOf(advance)).toBe(-10_000); // the $100 of seats
    expect(creditOf(arrears)).toBe(-5000); // $80 of usage, $50 of credit left
    expect(await drawnPerInvoice()).toEqual([]); // a preview stores nothing
  });

  it('previews a stored invoice with its own credit and the next one with what is left', async () => {
    const v1 = await createContract();
    await runBilling({ db: hub.context.db, clock }, orgId, '2026-03-01');
    const preview = await api('GET', `/contracts/${v1}/invoice-preview?at=2026-03-10`);
    const [advance, arrears] = preview.body.invoices;
    expect(creditOf(advance)).toBe(-10_000);
    expect(creditOf(arrears)).toBe(-5000);
  });

  it('previews no credit once an amendment and the March invoice used it all', async () => {
    const v1 = await createContract();
    await runBilling({ db: hub.context.db, clock }, orgId, '2026-03-01');
    const amended = await api('POST', `/contracts/${v1}/amendments`, {
      effective_date: '2026-03-16',
      terms: terms('20'),
    });
    const v2 = amended.body.contract.id as string;
    const preview = await api('GET', `/contracts/${v2}/invoice-preview?at=2026-03-20`);
    expect(preview.status).toBe(200);
    const arrears = preview.body.invoices.find((i: Json) => i.kind === 'arrears');
    expect(creditOf(arrears)).toBe(0);
  });
});

describe('two writers that read the same balance', () => {
  it('fails the second unit instead of spending the grant twice', async () => {
    const { db } = hub.context;
    const v1 = await createContract();
    await runBilling({ db, clock }, orgId, '2026-03-01'); // $100 of $150 used
    const row = (await findContract(db, orgId, v1))!;
    const prepared = await prepareAmendment(db, orgId, {
      chain: [row],
      next: terms('20'),
      effectiveDate: '2026-03-16',
      mappingVersion: 'api',
      now: NOW,
    });
    if (prepared.kind !== 'write') throw new Error(prepared.kind);
    // Meanwhile another writer spends the last $50 (an invoice with a credit line, guarded too).
    const other: InvoiceToWrite = {
      id: await invoiceId(orgId, v1, '2026-03-01', 'arrears'),
      contractId: v1,
      customerId,
      kind: 'arrears',
      computation: {
        currency: 'USD',
        periodStart: '2026-03-01',
        periodEnd: '2026-04-01',
        issueDate: '2026-04-01',
        dueDate: '2026-05-01',
        totalMinor: 0,
        lines: [
          {
            lineKind: 'charge',
            sourceRef: 'units',
            sku: 'UNIT',
            description: 'Units',
            quantity: '50',
            unitAmount: '1.00',
            amountMinor: 5000,
            detail: null,
          },
          {
            lineKind: 'credit',
            sourceRef: 'promo',
            sku: null,
            description: 'Prepaid credit promo',
            quantity: '1',
            unitAmount: '0',
            amountMinor: -5000,
            detail: null,
          },
        ],
      },
    };
    const use = {
      invoiceId: other.id,
      system: row.sourceSystem,
      deal: row.sourceDealId,
      grantId: 'promo',
      grantedMinor: 15_000,
    };
    await atomic(db, [
      ...invoiceStatements(db, orgId, NOW, other, await invoiceIds(orgId, other)),
      creditGuardStatement(db, orgId, [use])!,
    ]);
    // The amendment computed its charge from the balance before that write: its unit fails whole.
    await expect(atomic(db, prepared.statements)).rejects.toThrow(/malformed JSON/);
    expect(await drawnPerInvoice()).toEqual(['advance 2026-03-01 -10000', 'arrears 2026-03-01 -5000']);
    expect((await findContract(db, orgId, prepared.row.id)) ?? null).toBeNull();
  });
});
