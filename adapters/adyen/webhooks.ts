/**
 * Adyen standard webhooks: the HMAC signature sits in each NotificationRequestItem's
 * `additionalData.hmacSignature` and is checked with the SDK's HmacValidator
 * (https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures). It covers the
 * item's fields, not a timestamp: a replayed delivery parses to the same event id, which the
 * inbox deduplicates. Adyen expects `[accepted]` back (src/http/routes/payment-webhook.ts).
 *
 * Events in our terms: AUTHORISATION success → payment.succeeded (a Pay by Link payment captures
 * automatically and sends no CAPTURE); CAPTURE success → payment.succeeded of the same payment
 * (its originalReference), deduplicated with the first by the record-payment job's subject;
 * AUTHORISATION failure or CAPTURE_FAILED → payment.failed; the rest is ignored.
 */
import adyen from '@adyen/api-library';
import { z } from 'zod';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { PaymentEvent } from '../ports.js';
import { METADATA } from './map.js';

const item = z.object({
  eventCode: z.string().min(1).max(64),
  success: z.enum(['true', 'false']),
  pspReference: z.string().min(1).max(64),
  originalReference: z.string().max(64).optional(),
  merchantAccountCode: z.string().max(255),
  merchantReference: z.string().max(255),
  amount: z.object({
    currency: z.string().regex(/^[A-Z]{3}$/),
    value: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  }),
  eventDate: z
    .string()
    .max(64)
    .refine((d) => !Number.isNaN(Date.parse(d)), 'not a date'),
  additionalData: z.record(z.string(), z.string()).optional(),
});
const body = z.object({
  live: z.string().optional(),
  notificationItems: z.array(z.object({ NotificationRequestItem: z.looseObject({}) })).length(1),
});

// CommonJS: the validator class is read off the default export (see client.ts).
const validator = new adyen.hmacValidator();

export function parseAdyenWebhook(rawBody: string, hmacKey: string): Outcome<PaymentEvent> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return permanent('Adyen webhook body is not JSON', { status: 401 });
  }
  const envelope = body.safeParse(parsed);
  // Nothing signed can be found in a body of another shape: refused like a bad signature.
  if (!envelope.success) return permanent('Adyen webhook without exactly one NotificationRequestItem', { status: 401 });
  const raw = envelope.data.notificationItems[0]!.NotificationRequestItem as Record<string, unknown>;
  const signature = (raw.additionalData as Record<string, unknown> | undefined)?.hmacSignature;
  if (typeof signature !== 'string' || signature === '') {
    return permanent('Adyen webhook without an HMAC signature', { status: 401 });
  }
  let valid = false;
  try {
    valid = validator.validateHMAC(raw as never, hmacKey);
  } catch {
    valid = false;
  }
  if (!valid) return permanent('Adyen webhook HMAC signature rejected', { status: 401 });
  const shape = item.safeParse(raw);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    return permanent(`Adyen notification is malformed: ${issue.path.join('.')}: ${issue.message}`, { status: 400 });
  }
  return ok(toEvent(shape.data));
}

function toEvent(n: z.infer<typeof item>): PaymentEvent {
  const success = n.success === 'true';
  const invoiceId = n.additionalData?.[`metadata.${METADATA.invoiceId}`] ?? null;
  const base = {
    eventId: `${n.eventCode}:${n.pspReference}:${n.success}`,
    invoiceId,
    amountMinor: n.amount.value,
    currency: n.amount.currency,
    feeMinor: null,
    occurredAt: new Date(n.eventDate).toISOString(),
  };
  if (n.eventCode === 'AUTHORISATION') {
    return { ...base, type: success ? 'payment.succeeded' : 'payment.failed', paymentExternalId: n.pspReference };
  }
  if (n.eventCode === 'CAPTURE' && success) {
    return { ...base, type: 'payment.succeeded', paymentExternalId: n.originalReference ?? null };
  }
  if (n.eventCode === 'CAPTURE_FAILED') {
    return { ...base, type: 'payment.failed', paymentExternalId: n.originalReference ?? null };
  }
  return { ...base, type: 'ignored', paymentExternalId: n.originalReference ?? n.pspReference };
}
