/**
 * GET /api/v1/invoices/{id}/document over the real app on an in-memory hub: the HTML carries the
 * numbers and escapes what a customer typed, the PDF parses back with pdf-lib (pages, metadata)
 * and its drawn text holds the same numbers, a draft is watermarked, a credit note names the
 * invoice it credits, another org's key gets a 404.
 */
import { inflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomic } from '../../db/atomic.js';
import { creditNotes, customers, invoiceLines, invoices, payments } from '../../db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../db/secrets.js';
import { createOrgWithKey } from '../../db/seed.js';
import { ManualClock } from '../../domain/clock.js';
import { createHub, type Hub } from '../../hub.js';
import { openSqlite } from '../../runtime/sqlite.js';

let hub: Hub;
let close: () => void;
const keys = { acme: '', other: '' };
const HOSTILE = '<script>alert("x")</script> & Sons';

const get = (path: string, key = keys.acme, accept?: string) =>
  hub.app.request(`/api/v1${path}`, {
    headers: { authorization: `Bearer ${key}`, ...(accept ? { accept } : {}) },
  });

function invoiceRow(orgId: string, id: string, over: Partial<typeof invoices.$inferInsert>) {
  return {
    id,
    orgId,
    number: null,
    contractId: 'ctr_1',
    customerId: 'cus_1',
    kind: 'advance',
    periodStart: '2026-03-01',
    periodEnd: '2026-04-01',
    status: 'finalized',
    currency: 'USD',
    subtotalMinor: 0,
    taxMinor: 0,
    totalMinor: 0,
    amountPaidMinor: 0,
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    rounding: JSON.stringify({ mode: 'half_up', level: 'line' }),
    createdAt: '2026-03-01T06:00:00.000Z',
    documentKind: 'recurring',
    ...over,
  } satisfies typeof invoices.$inferInsert;
}

function lineRow(orgId: string, invoiceId: string, lineNo: number, over: Partial<typeof invoiceLines.$inferInsert>) {
  return {
    id: `${invoiceId}_l${lineNo}`,
    orgId,
    invoiceId,
    lineNo,
    productId: 'prod_1',
    description: 'Platform',
    quantity: '1',
    unitAmount: '0',
    amountMinor: 0,
    taxMinor: 0,
    lineKind: 'charge',
    ...over,
  } satisfies typeof invoiceLines.$inferInsert;
}

beforeAll(async () => {
  const sqlite = openSqlite(':memory:');
  close = sqlite.close;
  const { db } = sqlite;
  const clock = new ManualClock('2026-03-10T09:00:00Z');
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db, clock, encryptionKey });
  const acme = await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme Cloud Ltd', connections: [] });
  keys.acme = acme.apiKey;
  keys.other = (await createOrgWithKey(db, clock, encryptionKey, { name: 'Globex', connections: [] })).apiKey;
  const orgId = acme.orgId;
  await atomic(db, [
    db.insert(customers).values({
      id: 'cus_1',
      orgId,
      name: HOSTILE,
      email: 'ap@example.com',
      currency: 'USD',
      address: JSON.stringify({
        line1: '1 Market St',
        city: 'San Francisco',
        region: 'CA',
        postalCode: '94105',
        country: 'US',
      }),
      sourceSystem: 'salesforce',
      sourceId: '001000000000001AAA',
      createdAt: '2026-03-01T00:00:00.000Z',
    }),
    // A finalized invoice, partly paid, with one issued credit note against it.
    db.insert(invoices).values([
      invoiceRow(orgId, 'inv_1', {
        number: 'INV-000042',
        status: 'partially_paid',
        subtotalMinor: 1234500,
        taxMinor: 101846,
        totalMinor: 1336346,
        amountPaidMinor: 500000,
      }),
      invoiceRow(orgId, 'inv_draft', { contractId: 'ctr_2', subtotalMinor: 99000, totalMinor: 99000, status: 'draft' }),
      invoiceRow(orgId, 'cn_1', {
        number: 'INV-000043',
        kind: 'credit_note',
        documentKind: 'credit_note',
        creditedInvoiceId: 'inv_1',
        subtotalMinor: 20000,
        taxMinor: 1650,
        totalMinor: 21650,
        createdAt: '2026-03-05T06:00:00.000Z',
      }),
      invoiceRow(orgId, 'inv_jpy', {
        number: 'INV-000044',
        currency: 'JPY',
        subtotalMinor: 150000,
        totalMinor: 150000,
        // Many lines: the PDF must go on to a second page.
        periodStart: '2026-04-01',
        periodEnd: '2026-05-01',
      }),
    ]),
    db.insert(invoiceLines).values([
      lineRow(orgId, 'inv_1', 1, {
        description: 'Platform subscription',
        quantity: '1',
        unitAmount: '10000',
        amountMinor: 1000000,
        taxMinor: 82500,
      }),
      lineRow(orgId, 'inv_1', 2, {
        description: 'API calls',
        quantity: '156600',
        unitAmount: '0.0015',
        amountMinor: 23490,
        taxMinor: 1938,
        detail: JSON.stringify({ servicePeriod: { start: '2026-02-01', end: '2026-03-01' } }),
      }),
      lineRow(orgId, 'inv_1', 3, {
        description: 'Seats (prorated)',
        quantity: '10',
        unitAmount: '21.101',
        amountMinor: 211010,
        taxMinor: 17408,
      }),
      lineRow(orgId, 'inv_draft', 1, { description: 'Draft line', unitAmount: '990', amountMinor: 99000 }),
      lineRow(orgId, 'cn_1', 1, { description: 'Refund: outage credit', unitAmount: '200', amountMinor: 20000 }),
      ...Array.from({ length: 80 }, (_, n) =>
        lineRow(orgId, 'inv_jpy', n + 1, {
          description: `Usage bucket ${n + 1} 東京`,
          quantity: '1',
          unitAmount: n === 79 ? '1500' : '0',
          amountMinor: n === 79 ? 150000 : 0,
        }),
      ),
    ]),
    db.insert(payments).values({
      id: 'pay_1',
      orgId,
      invoiceId: 'inv_1',
      provider: 'stripe',
      externalId: 'pi_1',
      status: 'succeeded',
      amountMinor: 500000,
      feeMinor: 0,
      currency: 'USD',
      receivedAt: '2026-03-03T12:00:00.000Z',
      createdAt: '2026-03-03T12:00:00.000Z',
    }),
    db.insert(creditNotes).values({
      id: 'cn_1',
      orgId,
      invoiceId: 'inv_1',
      reason: 'product_unsatisfactory',
      settlement: 'reduce_due',
      memo: 'Outage on 3 March',
      createdAt: '2026-03-05T06:00:00.000Z',
    }),
  ]);
});

afterAll(() => close());

/** The text a PDF draws: pdf-lib writes standard-font text as hex strings in Flate streams. */
function drawnText(bytes: Uint8Array): string {
  const raw = Buffer.from(bytes).toString('latin1');
  const out: string[] = [];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const t of content.matchAll(/<([0-9A-Fa-f]*)> Tj/g)) out.push(Buffer.from(t[1]!, 'hex').toString('latin1'));
  }
  return out.join('\n');
}

describe('GET /invoices/{id}/document as HTML', () => {
  it('prints the seller, customer, number, dates, lines, totals, amount due and payments', async () => {
    const res = await get('/invoices/inv_1/document');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    expect(page).toContain('<title>Invoice INV-000042 · Acme Cloud Ltd</title>');
    expect(page).toContain('1 Market St');
    expect(page).toContain('San Francisco, CA 94105');
    for (const text of [
      '<dt>Issue date</dt><dd>2026-03-01</dd>',
      '<dt>Due date</dt><dd>2026-03-31</dd>',
      '<dt>Service period</dt><dd>2026-03-01 – 2026-03-31</dd>',
      'USD 10,000.00',
      // A unit price keeps its extra decimals; a line's own period is shown.
      'USD 0.0015',
      '2026-02-01 – 2026-02-28',
      '<td class="num">156600</td>',
      '<tr><td>Total</td><td class="num">USD 13,363.46</td></tr>',
      '<tr><td>Paid</td><td class="num">USD -5,000.00</td></tr>',
      '<tr><td>Credit notes</td><td class="num">USD -216.50</td></tr>',
      // 13,363.46 - 5,000.00 - 216.50
      '<tr><td>Amount due</td><td class="num">USD 8,146.96</td></tr>',
      '<td>2026-03-03</td><td>stripe</td><td>succeeded</td><td class="num">USD 5,000.00</td>',
    ]) {
      expect(page).toContain(text);
    }
    expect(page).not.toContain('class="watermark"');
    // Self-contained: no stylesheet, script or image to fetch.
    expect(page).not.toMatch(/<link|<script|<img|src=/i);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('escapes a hostile customer name', async () => {
    const page = await (await get('/invoices/inv_1/document')).text();
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons');
  });

  it('watermarks a draft, which has no number yet', async () => {
    const page = await (await get('/invoices/inv_draft/document?format=html')).text();
    expect(page).toContain('<h1>Draft invoice</h1>');
    expect(page).toContain('<div class="watermark" aria-hidden="true">DRAFT</div>');
    expect(page).toContain('<tr><td>Amount due</td><td class="num">USD 990.00</td></tr>');
  });

  it('shows on a credit note the invoice it credits and the reason', async () => {
    const page = await (await get('/invoices/cn_1/document')).text();
    expect(page).toContain('<h1>Credit note INV-000043</h1>');
    expect(page).toContain('<dt>Credits invoice</dt><dd>INV-000042</dd>');
    expect(page).toContain('<dt>Reason</dt><dd>Product unsatisfactory</dd>');
    expect(page).toContain('<dt>Note</dt><dd>Outage on 3 March</dd>');
    expect(page).toContain('<tr><td>Total credited</td><td class="num">USD 216.50</td></tr>');
    expect(page).not.toContain('Amount due');
    expect(page).not.toContain('Due date');
  });

  it('formats JPY with no minor units', async () => {
    const page = await (await get('/invoices/inv_jpy/document')).text();
    expect(page).toContain('<tr><td>Total</td><td class="num">JPY 150,000</td></tr>');
  });
});

describe('GET /invoices/{id}/document as PDF', () => {
  it('parses back with pdf-lib: one page, the number in Title and Keywords, the summary in Subject', async () => {
    const res = await get('/invoices/inv_1/document', keys.acme, 'application/pdf');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="INV-000042.pdf"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes.slice(0, 5)).toString('latin1')).toBe('%PDF-');
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(pdf.getPageCount()).toBe(1);
    expect(pdf.getTitle()).toBe('Invoice INV-000042');
    expect(pdf.getKeywords()).toBe('INV-000042');
    expect(pdf.getAuthor()).toBe('Acme Cloud Ltd');
    expect(pdf.getSubject()).toBe(`Invoice INV-000042 for ${HOSTILE}: USD 13,363.46, USD 5,000.00 paid`);
    expect(pdf.getCreationDate()?.toISOString()).toBe('2026-03-10T09:00:00.000Z');
  });

  it('draws the numbers on the page', async () => {
    const text = drawnText(new Uint8Array(await (await get('/invoices/inv_1/document?format=pdf')).arrayBuffer()));
    for (const expected of [
      'Acme Cloud Ltd',
      'Invoice INV-000042',
      HOSTILE,
      'San Francisco, CA 94105',
      'Platform subscription',
      'USD 10,000.00',
      'USD 0.0015',
      'USD 13,363.46',
      'Amount due',
      'USD 8,146.96',
      'stripe',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('DRAFT');
  });

  it('watermarks a draft and names its file by id', async () => {
    const res = await get('/invoices/inv_draft/document?format=pdf');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="draft-inv_draft.pdf"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(drawnText(bytes)).toContain('DRAFT');
    expect((await PDFDocument.load(bytes)).getTitle()).toBe('Draft invoice');
  });

  it('breaks a long invoice over pages, and prints what WinAnsi lacks as "?"', async () => {
    const bytes = new Uint8Array(await (await get('/invoices/inv_jpy/document?format=pdf')).arrayBuffer());
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBeGreaterThan(1);
    const text = drawnText(bytes);
    expect(text).toContain('Usage bucket 80 ??');
    expect(text).toContain('JPY 150,000');
  });

  it('prints a credit note with its credited invoice', async () => {
    const bytes = new Uint8Array(await (await get('/invoices/cn_1/document?format=pdf')).arrayBuffer());
    expect((await PDFDocument.load(bytes)).getTitle()).toBe('Credit note INV-000043');
    const text = drawnText(bytes);
    expect(text).toContain('Credits invoice');
    expect(text).toContain('INV-000042');
    expect(text).toContain('Product unsatisfactory');
  });
});

describe('GET /invoices/{id}/document tenancy and input', () => {
  it("answers another org's key with a 404, in both formats", async () => {
    for (const format of ['html', 'pdf']) {
      const res = await get(`/invoices/inv_1/document?format=${format}`, keys.other);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.text()).not.toContain('INV-000042');
    }
  });

  it('refuses an unknown format with a problem naming it', async () => {
    const res = await get('/invoices/inv_1/document?format=docx');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('format');
  });
});
