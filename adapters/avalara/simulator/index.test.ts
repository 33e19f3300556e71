/**
 * The adapter (real SDK) against the AvaTax simulator on loopback: round trip, document-code
 * idempotency, faults, validation errors. Assertions are on the simulator's state.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { responseKeyFields } from '../../../test/support/avalara-spec.js';
import type { TaxPort, TaxRequest } from '../../ports.js';
import { type RunningServer, serveOnLoopback } from '../../sandbox/serve.js';
import { createAvalaraAdapter } from '../index.js';
import { type AvalaraSimulator, createAvalaraSimulator, SIMULATOR_CREDENTIALS } from './index.js';

const NOW = new Date('2026-11-02T10:00:00Z');
let sim: AvalaraSimulator;
let server: RunningServer;
let tax: TaxPort;

// One server for the file; the app delegates to whichever simulator the current test built.
beforeAll(async () => {
  const front = new Hono();
  front.all('*', (c) => sim.app.fetch(c.req.raw));
  server = await serveOnLoopback(front);
});
afterAll(() => server.close());

beforeEach(() => {
  sim = createAvalaraSimulator({ now: () => NOW });
  tax = createAvalaraAdapter({ baseUrl: server.url, ...SIMULATOR_CREDENTIALS, companyCode: 'ACMECO', now: () => NOW });
});

const sale = (over: Partial<TaxRequest> = {}): TaxRequest => ({
  documentCode: 'INV-2026-0042',
  customerCode: 'ACME-001',
  date: '2026-11-02',
  currency: 'USD',
  shipTo: { line1: '2000 Main Street', city: 'Irvine', region: 'CA', postalCode: '92614', country: 'US' },
  lines: [
    { number: '1', itemCode: 'PLAT', description: 'Platform', quantity: '1', amount: '1200.00' },
    { number: '2', itemCode: 'ONB', description: 'Onboarding', quantity: '1', amount: '99.99' },
  ],
  commit: true,
  ...over,
});
const key = { idempotencyKey: 'org1:INV-2026-0042:v1:tax' };

describe('round trip', () => {
  it('records a committed sale with CA tax per line, half-up, and finds it by document code', async () => {
    const recorded = await tax.recordSale(sale(), key);
    // 1200.00 × 7.25% = 87.00; 99.99 × 7.25% = 7.249275 → 7.25.
    expect(recorded).toEqual({
      ok: true,
      value: {
        transactionId: expect.any(String),
        documentCode: 'INV-2026-0042',
        status: 'Committed',
        state: 'committed',
        totalTax: '94.25',
        lines: [
          { number: '1', tax: '87.00' },
          { number: '2', tax: '7.25' },
        ],
      },
    });
    const stored = sim.state.find('ACMECO', 'INV-2026-0042');
    expect(stored?.status).toBe('Committed');
    expect(String(stored?.id)).toBe(recorded.ok ? recorded.value.transactionId : '');

    const found = await tax.findByDocumentCode('INV-2026-0042');
    expect(found).toEqual(recorded);
  });

  it.each([
    ['NY', '1000.00', '88.75'],
    ['WA', '1000.00', '101.00'],
    ['TX', '19.99', '1.65'], // 1.649175 → 1.65
    ['OR', '10.01', '0.50'], // other state 5%: 0.5005 → 0.50
  ])('rates by region: %s %s → %s', async (region, amount, expected) => {
    const request = sale({
      shipTo: { line1: '1 Main', city: 'X', region, postalCode: '10001', country: 'US' },
      lines: [{ number: '1', itemCode: 'A', description: 'A', quantity: '1', amount }],
    });
    expect(await tax.recordSale(request, key)).toMatchObject({ ok: true, value: { totalTax: expected } });
  });

  it('outside the US no tax', async () => {
    const request = sale({
      shipTo: { line1: '1 Rue', city: 'Paris', region: 'IDF', postalCode: '75001', country: 'FR' },
      currency: 'EUR',
    });
    expect(await tax.recordSale(request, key)).toMatchObject({ ok: true, value: { totalTax: '0.00' } });
  });

  it('an uncommitted sale is Saved; the document code unknown elsewhere is null', async () => {
    expect(await tax.recordSale(sale({ commit: false }), key)).toMatchObject({ ok: true, value: { status: 'Saved' } });
    expect(await tax.findByDocumentCode('INV-NOPE')).toEqual({ ok: true, value: null });
  });

  it('answers with the TransactionModel key fields the spec lists', async () => {
    await tax.recordSale(sale(), key);
    const res = await sim.app.request('/api/v2/companies/ACMECO/transactions/INV-2026-0042', {
      headers: {
        Authorization: `Basic ${btoa(`${SIMULATOR_CREDENTIALS.accountId}:${SIMULATOR_CREDENTIALS.licenseKey}`)}`,
      },
    });
    const body = await res.json();
    for (const field of responseKeyFields()) expect(body, field).toHaveProperty(field);
  });
});

describe('idempotency by document code', () => {
  it('the same document code twice → one transaction at the simulator, same id', async () => {
    const first = await tax.recordSale(sale(), key);
    const second = await tax.recordSale(sale(), key);
    expect(first.ok && second.ok).toBe(true);
    expect(second.ok && second.value.transactionId).toBe(first.ok && first.value.transactionId);
    expect(sim.state.count('ACMECO')).toBe(1);
    expect(sim.state.find('ACMECO', 'INV-2026-0042')?.version).toBe(2);
  });

  it('a changed invoice under the same code adjusts the transaction in place', async () => {
    const first = await tax.recordSale(sale(), key);
    const changed = sale();
    changed.lines = [{ number: '1', itemCode: 'PLAT', description: 'Platform', quantity: '2', amount: '2400.00' }];
    const second = await tax.recordSale(changed, { idempotencyKey: 'org1:INV-2026-0042:v2:tax' });
    expect(second).toMatchObject({ ok: true, value: { totalTax: '174.00', lines: [{ number: '1', tax: '174.00' }] } });
    expect(second.ok && second.value.transactionId).toBe(first.ok && first.value.transactionId);
    expect(sim.state.count('ACMECO')).toBe(1);
  });
});

describe('faults', () => {
  it('429 with Retry-After, then success: nothing duplicated', async () => {
    sim.faults.inject('/api/v2/transactions/createoradjust', { kind: 'status', status: 429, retryAfterSeconds: 3 });
    expect(await tax.recordSale(sale(), key)).toMatchObject({ ok: false, kind: 'retryable', retryAfterMs: 3000 });
    expect(sim.state.count('ACMECO')).toBe(0);
    expect(await tax.recordSale(sale(), key)).toMatchObject({ ok: true });
    expect(sim.state.count('ACMECO')).toBe(1);
  });

  it('500 → retryable, nothing written', async () => {
    sim.faults.inject('/api/v2/transactions/createoradjust', { kind: 'status', status: 500 });
    expect(await tax.recordSale(sale(), key)).toMatchObject({ ok: false, kind: 'retryable', status: 500 });
    expect(sim.state.count('ACMECO')).toBe(0);
  });

  it('timeout → indeterminate; findByDocumentCode then finds the transaction that was written', async () => {
    sim.faults.inject('/api/v2/transactions/createoradjust', { kind: 'timeout' });
    expect(await tax.recordSale(sale(), key)).toMatchObject({ ok: false, kind: 'indeterminate' });
    expect(sim.state.count('ACMECO')).toBe(1);

    const found = await tax.findByDocumentCode('INV-2026-0042');
    expect(found).toMatchObject({ ok: true, value: { status: 'Committed', totalTax: '94.25' } });
    expect(found.ok && found.value?.transactionId).toBe(String(sim.state.find('ACMECO', 'INV-2026-0042')?.id));
  });

  it('wrong license key → needs a reconnect, credentials rejected', async () => {
    const wrong = createAvalaraAdapter({
      baseUrl: server.url,
      accountId: SIMULATOR_CREDENTIALS.accountId,
      licenseKey: 'WRONG',
      companyCode: 'ACMECO',
    });
    const result = await wrong.recordSale(sale(), key);
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 401, reconnect: true });
    expect(result.ok ? '' : result.reason).toMatch(/credentials rejected/);
    expect(sim.state.count('ACMECO')).toBe(0);
  });
});

describe('validation errors name the field', () => {
  it('no lines → MissingLine on "lines"', async () => {
    const result = await tax.recordSale(sale({ lines: [] }), key);
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 400, field: 'lines' });
    expect(sim.state.count('ACMECO')).toBe(0);
  });

  it('US address without region → InvalidAddress on the region', async () => {
    const result = await tax.recordSale(
      sale({ shipTo: { line1: '1 Main', city: 'X', region: '', postalCode: '1', country: 'US' } }),
      key,
    );
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'addresses.shipTo.region' });
  });
});

describe('simulator endpoints beyond the adapter', () => {
  const auth = {
    Authorization: `Basic ${btoa(`${SIMULATOR_CREDENTIALS.accountId}:${SIMULATOR_CREDENTIALS.licenseKey}`)}`,
    'Content-Type': 'application/json',
  };
  const model = (commit: boolean) => ({
    type: 'SalesInvoice',
    code: 'DOC-1',
    companyCode: 'ACMECO',
    date: '2026-11-02',
    customerCode: 'C',
    commit,
    addresses: {
      singleLocation: { line1: '1 Main', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' },
    },
    lines: [{ number: '1', amount: 100 }],
  });
  const post = (path: string, body: unknown) =>
    sim.app.request(path, { method: 'POST', headers: auth, body: JSON.stringify(body) });

  it('create refuses a code already committed (DocumentCodeConflict); a saved one is adjusted', async () => {
    expect((await post('/api/v2/transactions/create', model(false))).status).toBe(201);
    expect((await post('/api/v2/transactions/create', model(true))).status).toBe(201);
    const conflict = await post('/api/v2/transactions/create', model(true));
    expect(conflict.status).toBe(400);
    expect(await conflict.json()).toMatchObject({
      error: { code: 'DocumentCodeConflict', details: [{ refersTo: 'code' }] },
    });
    expect(sim.state.count('ACMECO')).toBe(1);
  });

  it('commit moves a Saved transaction to Committed', async () => {
    await post('/api/v2/transactions/create', model(false));
    const res = await post('/api/v2/companies/ACMECO/transactions/DOC-1/commit', { commit: true });
    expect(await res.json()).toMatchObject({ status: 'Committed', totalTax: 10.1 });
    expect(sim.state.find('ACMECO', 'DOC-1')?.status).toBe('Committed');
  });

  it('a SalesOrder is an estimate and is not saved', async () => {
    const res = await post('/api/v2/transactions/create', { ...model(false), type: 'SalesOrder' });
    expect(await res.json()).toMatchObject({ status: 'Temporary', totalTax: 10.1 });
    expect(sim.state.count('ACMECO')).toBe(0);
  });

  it('requires Basic auth (AvaTax envelope), except ping which reports it', async () => {
    const res = await sim.app.request('/api/v2/transactions/createoradjust', { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'AuthenticationException' } });
    const anonymous = (await (await sim.app.request('/api/v2/utilities/ping')).json()) as { authenticated: boolean };
    const signedIn = (await (await sim.app.request('/api/v2/utilities/ping', { headers: auth })).json()) as {
      authenticated: boolean;
    };
    expect([anonymous.authenticated, signedIn.authenticated]).toEqual([false, true]);
  });
});
