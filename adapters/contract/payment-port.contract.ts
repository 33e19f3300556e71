/**
 * The PaymentPort contract: every payment adapter runs it against its vendor's simulator.
 * A new vendor adds `adapters/<vendor>/contract.test.ts` calling
 * `runPaymentPortContract('<vendor>', async () => ({ port, count, signedEvent, ...faultHooks, close }))`:
 * the factory starts a fresh simulator whose test payment method settles at once, builds the
 * adapter against it with an injected clock, and signs the vendor's latest event as its
 * webhook would, at a chosen age, so good, tampered and stale deliveries can be checked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentPort, PaymentRequest } from '../ports.js';
import {
  expectPermanent,
  expectRateLimited,
  expectServerError,
  expectUnauthorized,
  type FaultHooks,
  failureOf,
  unwrap,
} from './failures.contract.js';

export interface PaymentContractSetup extends FaultHooks {
  port: PaymentPort;
  count(object: 'customer' | 'payment' | 'refund'): number;
  /** The vendor's most recent event as its webhook delivers it, signed `ageSeconds` ago. */
  signedEvent(ageSeconds?: number): Promise<{ rawBody: string; headers: Headers }>;
  close(): Promise<void>;
  /**
   * How an unknown write outcome is reconciled. `lookup` (default): the vendor can find a
   * payment or refund by our invoice or credit note id. `key-replay`: the vendor has no such
   * lookup (Adyen's Checkout API reads no payment by merchant reference), so `findPayment` and
   * `findRefund` answer null and the retry with the SAME idempotency key is the reconciliation.
   */
  reconcile?: 'lookup' | 'key-replay';
  /**
   * Whether the signature carries a timestamp, so a stale delivery can be refused. Adyen's and
   * Razorpay's HMACs cover the body alone: replays are stopped by the inbox's event id instead.
   */
  signedTimestamp?: boolean;
  /**
   * The delivery with its signature taken away. Default: the body without headers (Stripe and
   * Razorpay sign in a header); Adyen signs inside the body (additionalData.hmacSignature).
   */
  unsigned?(delivery: { rawBody: string; headers: Headers }): { rawBody: string; headers: Headers };
}

/** Older than every vendor's replay window we know of (Stripe 300 s, HubSpot 5 min). */
const STALE_SECONDS = 3600;

export function runPaymentPortContract(name: string, setup: () => Promise<PaymentContractSetup>): void {
  describe(`PaymentPort contract: ${name}`, () => {
    let s: PaymentContractSetup;
    beforeEach(async () => {
      s = await setup();
    });
    afterEach(() => s.close());

    const newCustomer = async () =>
      unwrap(
        await s.port.createCustomer(
          { localId: 'cust_1', name: 'Acme', email: 'ap@acme.test' },
          { idempotencyKey: 'c-1' },
        ),
      );
    const payment = (customerExternalId: string): PaymentRequest => ({
      invoiceId: 'inv_1',
      invoiceNumber: 'INV-0001',
      customerExternalId,
      amountMinor: 125050,
      currency: 'USD',
      description: 'Invoice INV-0001',
    });

    describe('refunds and cancelling', () => {
      const refund = (paymentExternalId: string, amountMinor = 25050) => ({
        paymentExternalId,
        amountMinor,
        currency: 'USD',
        creditNoteId: 'cn_1',
        reason: 'requested_by_customer' as const,
      });

      it('refunds part of a settled payment once per key, found by our credit note id', async () => {
        const c = await newCustomer();
        const paid = unwrap(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' }));
        const first = unwrap(await s.port.refundPayment(refund(paid.externalId), { idempotencyKey: 'r-1' }));
        expect(first).toMatchObject({ amountMinor: 25050, currency: 'USD' });
        // Pending where the vendor confirms refunds by webhook (Adyen's REFUND notification).
        expect(['succeeded', 'pending']).toContain(first.status);
        const again = unwrap(await s.port.refundPayment(refund(paid.externalId), { idempotencyKey: 'r-1' }));
        expect(again.externalId).toBe(first.externalId);
        expect(s.count('refund')).toBe(1);
        if (s.reconcile !== 'key-replay') {
          expect(unwrap(await s.port.findRefund(paid.externalId, 'cn_1'))?.externalId).toBe(first.externalId);
        }
        expect(unwrap(await s.port.findRefund(paid.externalId, 'cn_none'))).toBeNull();
      });

      it('a refund larger than what is left is permanent, and nothing is refunded', async () => {
        const c = await newCustomer();
        const paid = unwrap(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' }));
        expectPermanent(await s.port.refundPayment(refund(paid.externalId, 125051), { idempotencyKey: 'r-2' }));
        expect(s.count('refund')).toBe(0);
      });

      it('cancels an open attempt (again: the same answer); a settled one answers succeeded', async () => {
        const c = await newCustomer();
        const open = unwrap(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-open' }));
        if (open.status === 'pending' || open.status === 'requires_action') {
          expect(unwrap(await s.port.cancelPayment(open.externalId, { idempotencyKey: 'x-1' })).status).toBe(
            'canceled',
          );
          expect(unwrap(await s.port.cancelPayment(open.externalId, { idempotencyKey: 'x-2' })).status).toBe(
            'canceled',
          );
        } else {
          expect(unwrap(await s.port.cancelPayment(open.externalId, { idempotencyKey: 'x-1' })).status).toBe(
            open.status,
          );
        }
      });
    });

    describe('create and find by our key', () => {
      it('customer: found by our local id; an unknown id is null', async () => {
        const created = await newCustomer();
        expect(unwrap(await s.port.findCustomer('cust_1'))?.externalId).toBe(created.externalId);
        expect(unwrap(await s.port.findCustomer('cust_none'))).toBeNull();
      });

      it('payment: found by our invoice id, with amount and currency; it has a fee', async () => {
        const c = await newCustomer();
        const created = unwrap(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' }));
        expect(created).toMatchObject({ status: 'succeeded', amountMinor: 125050, currency: 'USD' });
        if (s.reconcile !== 'key-replay') {
          expect(unwrap(await s.port.findPayment('inv_1'))?.externalId).toBe(created.externalId);
        }
        expect(unwrap(await s.port.findPayment('inv_none'))).toBeNull();
        expect(unwrap(await s.port.getPaymentFee(created.externalId))).toBeGreaterThanOrEqual(0);
      });
    });

    describe('currencies by exponent', () => {
      // JPY has no minor unit, KWD three (ISO 4217): the amount goes to the vendor as stored.
      // Amounts end in 0: Stripe, for one, takes three-decimal amounts only in tens
      // (https://docs.stripe.com/currencies#three-decimal).
      for (const [currency, amountMinor] of [
        ['JPY', 125050],
        ['KWD', 125050],
      ] as const) {
        it(`${currency}: charged and refunded in its own minor units`, async () => {
          const c = await newCustomer();
          const paid = unwrap(
            await s.port.createPayment(
              { ...payment(c.externalId), currency, amountMinor },
              { idempotencyKey: `p-${currency}` },
            ),
          );
          expect(paid).toMatchObject({ status: 'succeeded', amountMinor, currency });
          const refunded = unwrap(
            await s.port.refundPayment(
              {
                paymentExternalId: paid.externalId,
                amountMinor: amountMinor - 10,
                currency,
                creditNoteId: 'cn_1',
                reason: 'requested_by_customer',
              },
              { idempotencyKey: `r-${currency}` },
            ),
          );
          expect(refunded).toMatchObject({ amountMinor: amountMinor - 10, currency });
          expectPermanent(
            await s.port.refundPayment(
              {
                paymentExternalId: paid.externalId,
                amountMinor: 20,
                currency,
                creditNoteId: 'cn_2',
                reason: 'requested_by_customer',
              },
              { idempotencyKey: `r2-${currency}` },
            ),
          );
          expect(s.count('refund')).toBe(1);
        });
      }
    });

    describe('idempotent retry', () => {
      it('the same key twice → one object at the vendor, same id', async () => {
        const c = await newCustomer();
        await newCustomer();
        expect(s.count('customer')).toBe(1);
        const first = unwrap(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' }));
        const again = unwrap(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' }));
        expect(again.externalId).toBe(first.externalId);
        expect(s.count('payment')).toBe(1);
      });

      it('a dropped connection after the write is indeterminate; lookup reconciles, retry adds nothing', async () => {
        const c = await newCustomer();
        s.inject({ kind: 'timeout' });
        expect(failureOf(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' })).kind).toBe(
          'indeterminate',
        );
        const found = unwrap(await s.port.findPayment('inv_1'));
        if (s.reconcile === 'key-replay') expect(found).toBeNull();
        else expect(found).not.toBeNull();
        const retried = unwrap(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' }));
        if (found) expect(retried.externalId).toBe(found.externalId);
        expect(retried.status).toBe('succeeded');
        expect(s.count('payment')).toBe(1);
      });
    });

    describe('error classes', () => {
      it('429 with Retry-After is retryable with the wait; nothing is written', async () => {
        s.inject({ kind: 'status', status: 429, retryAfterSeconds: 2 });
        const outcome = await s.port.createCustomer(
          { localId: 'cust_1', name: 'Acme', email: null },
          { idempotencyKey: 'c-1' },
        );
        expectRateLimited(outcome, 2);
        expect(s.count('customer')).toBe(0);
      });

      it('500 is never permanent; the retry with the same key creates one object', async () => {
        const c = await newCustomer();
        s.inject({ kind: 'status', status: 500 });
        expectServerError(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' }), true);
        unwrap(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' }));
        expect(s.count('payment')).toBe(1);
        if (s.reconcile !== 'key-replay') {
          s.inject({ kind: 'status', status: 503 });
          expectServerError(await s.port.findPayment('inv_1'), false);
        }
      });

      it('a validation error (malformed email) is permanent and writes nothing', async () => {
        const outcome = await s.port.createCustomer(
          { localId: 'cust_1', name: 'Acme', email: 'not-an-email' },
          { idempotencyKey: 'c-bad' },
        );
        expectPermanent(outcome);
        expect(s.count('customer')).toBe(0);
      });

      it('rejected credentials are reported as the port promises', async () => {
        s.revokeCredentials();
        expectUnauthorized(await s.port.findCustomer('cust_1'), s.unauthorized, s.port.vendor);
      });
    });

    describe('webhook signature', () => {
      async function settled() {
        const c = await newCustomer();
        return unwrap(await s.port.createPayment(payment(c.externalId), { idempotencyKey: 'p-1' }));
      }

      it('a good signature parses into our event', async () => {
        const created = await settled();
        const { rawBody, headers } = await s.signedEvent();
        const event = unwrap(await s.port.parseWebhook(rawBody, headers));
        expect(event).toMatchObject({
          type: 'payment.succeeded',
          paymentExternalId: created.externalId,
          invoiceId: 'inv_1',
          amountMinor: 125050,
        });
        expect(event.eventId).not.toBe('');
      });

      it('a tampered body or missing signature is permanent', async () => {
        await settled();
        const { rawBody, headers } = await s.signedEvent();
        expectPermanent(await s.port.parseWebhook(rawBody.replace('125050', '1'), headers));
        const bare = s.unsigned ? s.unsigned({ rawBody, headers }) : { rawBody, headers: new Headers() };
        expectPermanent(await s.port.parseWebhook(bare.rawBody, bare.headers));
      });

      it('a stale signature is permanent (where the signature is timestamped)', async () => {
        await settled();
        if (s.signedTimestamp === false) {
          // Nothing in the signature dates it: the same delivery later parses to the same event
          // id, which the inbox deduplicates (src/db/repos/webhook-inbox.ts).
          const fresh = await s.signedEvent();
          const old = await s.signedEvent(STALE_SECONDS);
          expect(unwrap(await s.port.parseWebhook(old.rawBody, old.headers)).eventId).toBe(
            unwrap(await s.port.parseWebhook(fresh.rawBody, fresh.headers)).eventId,
          );
          return;
        }
        const { rawBody, headers } = await s.signedEvent(STALE_SECONDS);
        expectPermanent(await s.port.parseWebhook(rawBody, headers));
      });
    });
  });
}
