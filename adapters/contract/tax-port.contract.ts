/**
 * The TaxPort contract: every tax adapter runs it against its vendor's simulator.
 * A new vendor adds `adapters/<vendor>/contract.test.ts` calling
 * `runTaxPortContract('<vendor>', async () => ({ port, count, ...faultHooks, close }))`: the
 * factory starts a fresh simulator, builds the adapter against it with an injected clock, and
 * lets the suite count the vendor's documents (verdicts come from the vendor's side).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { majorToMinor } from '../../src/domain/money.js';
import type { TaxPort, TaxRequest } from '../ports.js';
import {
  expectPermanent,
  expectRateLimited,
  expectServerError,
  expectUnauthorized,
  type FaultHooks,
  failureOf,
  unwrap,
} from './failures.contract.js';

export interface TaxContractSetup extends FaultHooks {
  port: TaxPort;
  /** How many tax documents the simulated vendor holds. */
  count(): number;
  close(): Promise<void>;
}

const sale = (over: Partial<TaxRequest> = {}): TaxRequest => ({
  documentCode: 'INV-2026-0042',
  customerCode: 'ACME-001',
  date: '2026-11-02',
  currency: 'USD',
  shipTo: { line1: '2000 Main Street', city: 'Irvine', region: 'CA', postalCode: '92614', country: 'US' },
  lines: [{ number: '1', itemCode: 'PLAT', description: 'Platform', quantity: '1', amount: '1200.00' }],
  commit: true,
  ...over,
});
const key = { idempotencyKey: 'org1:INV-2026-0042:v1:tax' };

/**
 * A customer the vendor holds an exemption for. Avalara takes the certificate number on the
 * request; Anrok keeps certificates on its customer record (each factory registers this one).
 */
export const EXEMPT_CUSTOMER = 'EXEMPT-001';

export function runTaxPortContract(name: string, setup: () => Promise<TaxContractSetup>): void {
  describe(`TaxPort contract: ${name}`, () => {
    let s: TaxContractSetup;
    beforeEach(async () => {
      s = await setup();
    });
    afterEach(() => s.close());

    describe('returns and voids', () => {
      const returnOf = (over: { documentCode?: string; tax?: string } = {}) => ({
        documentCode: over.documentCode ?? 'CN-2026-0007',
        originalDocumentCode: 'INV-2026-0042',
        originalDate: '2026-11-02',
        customerCode: 'ACME-001',
        date: '2026-11-20',
        currency: 'USD',
        shipTo: sale().shipTo,
        lines: [
          {
            number: '1',
            itemCode: 'PLAT',
            description: 'Platform',
            quantity: '1',
            amount: '300.00',
            ...(over.tax ? { tax: over.tax } : {}),
          },
        ],
      });

      it('a return gives tax back (positive), is found by its code, and a retry adds nothing', async () => {
        unwrap(await s.port.recordSale(sale(), key));
        const first = unwrap(await s.port.recordReturn(returnOf(), { idempotencyKey: 'cn-7' }));
        expect(first.documentCode).toBe('CN-2026-0007');
        expect(Number(first.totalTax)).toBeGreaterThan(0);
        const again = unwrap(await s.port.recordReturn(returnOf(), { idempotencyKey: 'cn-7' }));
        expect(again.transactionId).toBe(first.transactionId);
        expect(s.count()).toBe(2);
        expect(unwrap(await s.port.findReturnByDocumentCode('CN-2026-0007'))?.transactionId).toBe(first.transactionId);
        expect(unwrap(await s.port.findReturnByDocumentCode('CN-NOPE'))).toBeNull();
        // A return's code is not a sale's: the sale lookup does not see it.
        expect(unwrap(await s.port.findByDocumentCode('CN-2026-0007'))).toBeNull();
      });

      it('a return with a fixed tax gives back exactly that tax (where the engine takes one)', async () => {
        if (!s.port.fixesReturnTax) {
          // The engine computes a return's tax itself: it gives back the sale's rate on the amount.
          unwrap(await s.port.recordSale(sale(), key));
          const computed = unwrap(await s.port.recordReturn(returnOf({ tax: '21.76' }), { idempotencyKey: 'cn-8' }));
          expect(Number(computed.totalTax)).toBeGreaterThan(0);
          expect(computed.lines.map((l) => l.tax)).toEqual([computed.totalTax]);
          return;
        }
        const fixed = unwrap(await s.port.recordReturn(returnOf({ tax: '21.76' }), { idempotencyKey: 'cn-8' }));
        expect(fixed.totalTax).toBe('21.76');
        expect(fixed.lines.map((l) => l.tax)).toEqual(['21.76']);
      });

      it('a return of the whole sale gives back all of its tax', async () => {
        const recorded = unwrap(await s.port.recordSale(sale(), key));
        const whole = { ...returnOf(), wholeSale: true, lines: [{ ...returnOf().lines[0]!, amount: '1200.00' }] };
        const back = unwrap(await s.port.recordReturn(whole, { idempotencyKey: 'cn-9' }));
        expect(back.totalTax).toBe(recorded.totalTax);
        expect(back.state).toBe('committed');
        expect(unwrap(await s.port.recordReturn(whole, { idempotencyKey: 'cn-9' })).transactionId).toBe(
          back.transactionId,
        );
        expect(s.count()).toBe(2);
      });

      it('voids a committed sale; voiding it again answers the same void', async () => {
        const recorded = unwrap(await s.port.recordSale(sale(), key));
        expect(recorded.state).toBe('committed');
        const voided = unwrap(await s.port.voidDocument('INV-2026-0042', 'sale'));
        expect(voided.state).toBe('voided');
        expect(unwrap(await s.port.voidDocument('INV-2026-0042', 'sale')).state).toBe('voided');
        expect(unwrap(await s.port.findByDocumentCode('INV-2026-0042'))?.state).toBe('voided');
        expect(s.count()).toBe(1);
      });

      it('voids a committed return', async () => {
        unwrap(await s.port.recordSale(sale(), key));
        unwrap(await s.port.recordReturn(returnOf(), { idempotencyKey: 'cn-7' }));
        expect(unwrap(await s.port.voidDocument('CN-2026-0007', 'return')).state).toBe('voided');
        expect(unwrap(await s.port.findByDocumentCode('INV-2026-0042'))?.state).toBe('committed');
      });

      it('voiding an unknown document is permanent', async () => {
        expectPermanent(await s.port.voidDocument('INV-NOPE', 'sale'));
      });
    });

    it('a quote computes the tax and stores nothing', async () => {
      const quoted = unwrap(await s.port.quote(sale({ commit: true })));
      expect(quoted.state).toBe('estimate');
      expect(Number(quoted.totalTax)).toBeGreaterThan(0);
      expect(quoted.lines.map((l) => l.number)).toEqual(['1']);
      expect(s.count()).toBe(0);
      expect(unwrap(await s.port.findByDocumentCode('INV-2026-0042'))).toBeNull();
      // The committed sale charges what the quote said.
      expect(unwrap(await s.port.recordSale(sale(), key)).totalTax).toBe(quoted.totalTax);
    });

    it('an exempt customer is charged no tax', async () => {
      const exempt = unwrap(await s.port.quote(sale({ customerCode: EXEMPT_CUSTOMER, exemptionNumber: 'EX-7781' })));
      expect(exempt.totalTax).toBe('0.00');
    });

    it('line taxes add up to the total, in the currency exponent', async () => {
      const three = sale({
        lines: ['1', '2', '3'].map((n) => ({
          number: n,
          itemCode: 'PLAT',
          description: 'Platform',
          quantity: '1',
          amount: '0.33',
        })),
      });
      const recorded = unwrap(await s.port.recordSale(three, key));
      // Each amount is exact in the currency's exponent, so converting it rounds nothing.
      for (const tax of [recorded.totalTax, ...recorded.lines.map((l) => l.tax)]) {
        expect(tax).toMatch(/^\d+\.\d{2}$/);
      }
      const minor = (major: string) => majorToMinor(major, three.currency);
      const lineMinor = recorded.lines.reduce((sum, l) => sum + minor(l.tax), 0);
      expect(lineMinor).toBe(minor(recorded.totalTax));
    });

    it('validates addresses: a good one is valid; a broken one is a readable reason, not a failure', async () => {
      const good = unwrap(await s.port.validateAddress(sale().shipTo));
      expect(good.valid).toBe(true);
      const bad = unwrap(
        await s.port.validateAddress({
          line1: '1 Main',
          city: 'Irvine',
          region: 'CA',
          postalCode: 'ABC',
          country: 'US',
        }),
      );
      if (bad.valid) throw new Error('a US address without a ZIP code validated');
      expect(bad.reason).toMatch(/address|ZIP|postal/i);
    });

    it('records a sale and finds it by document code; an unknown code is null', async () => {
      const recorded = unwrap(await s.port.recordSale(sale(), key));
      expect(recorded.documentCode).toBe('INV-2026-0042');
      expect(recorded.lines.map((l) => l.number)).toEqual(['1']);
      const found = unwrap(await s.port.findByDocumentCode('INV-2026-0042'));
      expect(found?.transactionId).toBe(recorded.transactionId);
      expect(unwrap(await s.port.findByDocumentCode('INV-NOPE'))).toBeNull();
    });

    it('the same document and key twice → one document at the vendor', async () => {
      const first = unwrap(await s.port.recordSale(sale(), key));
      const again = unwrap(await s.port.recordSale(sale(), key));
      expect(again.transactionId).toBe(first.transactionId);
      expect(s.count()).toBe(1);
    });

    it('a dropped connection after the write is indeterminate; lookup reconciles, retry adds nothing', async () => {
      s.inject({ kind: 'timeout' });
      expect(failureOf(await s.port.recordSale(sale(), key)).kind).toBe('indeterminate');
      const found = unwrap(await s.port.findByDocumentCode('INV-2026-0042'));
      expect(found).not.toBeNull();
      unwrap(await s.port.recordSale(sale(), key));
      expect(s.count()).toBe(1);
    });

    it('429 with Retry-After is retryable with the wait; nothing is recorded', async () => {
      s.inject({ kind: 'status', status: 429, retryAfterSeconds: 30 });
      expectRateLimited(await s.port.recordSale(sale(), key), 30);
      expect(s.count()).toBe(0);
    });

    it('5xx is never permanent, on a write or a lookup', async () => {
      s.inject({ kind: 'status', status: 500 });
      expectServerError(await s.port.recordSale(sale(), key), true);
      s.inject({ kind: 'status', status: 503 });
      expectServerError(await s.port.findByDocumentCode('INV-2026-0042'), false);
    });

    it('a US address without a region is a permanent validation error', async () => {
      const noRegion = sale({
        shipTo: { line1: '1 Main', city: 'Irvine', region: '', postalCode: '92614', country: 'US' },
      });
      expectPermanent(await s.port.recordSale(noRegion, key));
      expect(s.count()).toBe(0);
    });

    it('rejected credentials are reported as the port promises', async () => {
      s.revokeCredentials();
      const { vendor } = s.port;
      if (vendor === 'manual') throw new Error('the manual rate table has no vendor to run the contract against');
      expectUnauthorized(await s.port.findByDocumentCode('INV-2026-0042'), s.unauthorized, vendor);
    });
  });
}
