/**
 * Returns and voids through the real AvaTax SDK against nock, with vendor-shaped answers: the
 * requests are checked against the AvaTax API description (../../../shared/apispecs/avalara.json).
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOperation, spec } from '../../test/support/avalara-spec.js';
import { createAvalaraAdapter } from './index.js';

const BASE = 'https://sandbox-rest.avatax.test';
const sale = JSON.parse(readFileSync(new URL('./__fixtures__/transaction-committed.json', import.meta.url), 'utf8'));

const adapter = () =>
  createAvalaraAdapter({
    baseUrl: BASE,
    accountId: '1100012345',
    licenseKey: 'LICENSE-KEY',
    companyCode: 'ACMECO',
    now: () => new Date('2026-11-20T10:00:00Z'),
  });

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('AvaTax returns and voids', () => {
  it('a return is a committed ReturnInvoice with negative amounts, dated and referenced as the sale', async () => {
    let body: Record<string, unknown> = {};
    const answer = {
      ...sale,
      code: 'CN-7',
      type: 'ReturnInvoice',
      totalTax: -21.76,
      lines: [{ lineNumber: '1', tax: -21.76, lineAmount: -300 }],
    };
    nock(BASE)
      .post('/api/v2/transactions/createoradjust')
      .query(true)
      .reply(201, (_uri, b) => {
        body = b as Record<string, unknown>;
        return answer;
      });
    const result = await adapter().recordReturn(
      {
        documentCode: 'CN-7',
        originalDocumentCode: 'INV-2026-0042',
        originalDate: '2026-11-02',
        customerCode: 'ACME-001',
        date: '2026-11-20',
        currency: 'USD',
        shipTo: { line1: '2000 Main Street', city: 'Irvine', region: 'CA', postalCode: '92614', country: 'US' },
        lines: [
          { number: '1', itemCode: 'PLAT', description: 'Platform', quantity: '1', amount: '300.00', tax: '21.76' },
        ],
      },
      { idempotencyKey: 'k' },
    );
    expect(result.ok && result.value.totalTax).toBe('21.76');
    expect(findOperation('POST', '/api/v2/transactions/createoradjust')).toBeDefined();
    const model = body.createTransactionModel as Record<string, unknown>;
    expect(model).toMatchObject({
      type: 'ReturnInvoice',
      code: 'CN-7',
      commit: true,
      referenceCode: 'INV-2026-0042',
      taxOverride: { type: 'TaxDate', taxDate: '2026-11-02' },
    });
    const [line] = model.lines as Record<string, unknown>[];
    expect(line).toMatchObject({ amount: -300, taxOverride: { type: 'TaxAmount', taxAmount: -21.76 } });
  });

  it('a void posts {"code": "DocVoided"} to the document of that type, as the spec describes', async () => {
    let body: unknown;
    const path = '/api/v2/companies/ACMECO/transactions/INV-2026-0042/void';
    nock(BASE)
      .post(path)
      .query((q) => q.documentType === 'SalesInvoice')
      .reply(200, (_uri, b) => {
        body = b;
        return { ...sale, status: 'Cancelled' };
      });
    const voided = await adapter().voidDocument('INV-2026-0042', 'sale');
    expect(voided.ok && voided.value.status).toBe('Cancelled');
    const op = findOperation('POST', path);
    expect(op?.request_example).toEqual(body);
    expect(spec.operations.some((o) => o.path.endsWith('/void'))).toBe(true);
  });

  it('a refused void of a document already voided answers its Cancelled state', async () => {
    const base = '/api/v2/companies/ACMECO/transactions/INV-2026-0042';
    nock(BASE)
      .post(`${base}/void`)
      .query(true)
      .reply(400, {
        error: { code: 'CannotModifyDeletedTransaction', message: 'already voided', target: 'IncorrectData' },
      });
    nock(BASE)
      .get(base)
      .query(true)
      .reply(200, { ...sale, status: 'Cancelled' });
    const again = await adapter().voidDocument('INV-2026-0042', 'sale');
    expect(again.ok && again.value.status).toBe('Cancelled');
  });
});
