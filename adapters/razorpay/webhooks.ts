/**
 * Razorpay webhooks, verified with the SDK's `validateWebhookSignature` (hex HMAC-SHA256 of the
 * raw body with the webhook secret; https://razorpay.com/docs/webhooks/validate-test). The
 * signature covers the body alone, no timestamp: a replay parses to the same event id (the
 * X-Razorpay-Event-Id header), which the inbox deduplicates.
 *
 * In our terms: payment.captured → payment.succeeded of its order (our payment's external id);
 * payment.failed → payment.failed; everything else (authorized, refund.*, payment_link.*) is
 * recorded and ignored: a link's payment sends its own payment.captured.
 */
import Razorpay from 'razorpay';
import { z } from 'zod';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { PaymentEvent } from '../ports.js';
import { NOTES, noteOf } from './map.js';

const notes = z.union([z.record(z.string(), z.string()), z.array(z.unknown())]).optional();
const event = z.object({
  event: z.string().min(1).max(128),
  created_at: z.number().int().min(946684800).max(7258118399),
  payload: z.object({
    payment: z
      .object({
        entity: z.object({
          id: z.string().max(64),
          order_id: z.string().max(64).nullable(),
          amount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
          currency: z.string().regex(/^[A-Za-z]{3}$/),
          fee: z.number().int().min(0).nullable().optional(),
          notes,
        }),
      })
      .optional(),
  }),
});

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function parseRazorpayWebhook(
  rawBody: string,
  headers: Headers,
  secret: string,
): Promise<Outcome<PaymentEvent>> {
  const signature = headers.get('x-razorpay-signature');
  if (!signature) return permanent('Razorpay webhook without an X-Razorpay-Signature header', { status: 401 });
  let valid = false;
  try {
    valid = Razorpay.validateWebhookSignature(rawBody, signature, secret);
  } catch {
    valid = false;
  }
  if (!valid) return permanent('Razorpay webhook signature rejected', { status: 401 });
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return permanent('Razorpay webhook body is not JSON', { status: 400 });
  }
  const shape = event.safeParse(parsed);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    return permanent(`Razorpay webhook body is not an event: ${issue.path.join('.')}: ${issue.message}`, {
      status: 400,
    });
  }
  const e = shape.data;
  const payment = e.payload.payment?.entity;
  // Razorpay sends the event id as a header; without one the body's hash names the delivery.
  const eventId = headers.get('x-razorpay-event-id') ?? `sha256:${await sha256Hex(rawBody)}`;
  const type =
    e.event === 'payment.captured' ? 'payment.succeeded' : e.event === 'payment.failed' ? 'payment.failed' : 'ignored';
  return ok({
    eventId,
    type,
    paymentExternalId: payment?.order_id ?? null,
    invoiceId: (payment && noteOf(payment.notes, NOTES.invoiceId)) ?? null,
    amountMinor: payment?.amount ?? 0,
    currency: (payment?.currency ?? '').toUpperCase(),
    feeMinor: payment?.fee ?? null,
    occurredAt: new Date(e.created_at * 1000).toISOString(),
  });
}
