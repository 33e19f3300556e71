/**
 * Stripe webhook verification with Web Crypto (runs on Node and Workers):
 * `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, 300 s tolerance.
 * https://docs.stripe.com/webhooks/signature
 */
import Stripe from 'stripe';
import { z } from 'zod';
import { MAX_YEAR, MIN_YEAR } from '../../src/domain/grammar.js';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { PaymentEvent } from '../ports.js';
import { fromEvent } from './map.js';

export interface WebhookVerifyOptions {
  secret: string;
  /** Clock for the timestamp tolerance check; the SDK uses the wall clock when omitted. */
  now?: () => Date;
}

let cryptoProvider: Stripe.CryptoProvider | undefined;

export async function parseStripeWebhook(
  stripe: Stripe,
  rawBody: string,
  headers: Headers,
  options: WebhookVerifyOptions,
): Promise<Outcome<PaymentEvent>> {
  const signature = headers.get('stripe-signature');
  if (!signature) return permanent('Stripe webhook without a Stripe-Signature header', { status: 401 });
  cryptoProvider ??= Stripe.createSubtleCryptoProvider();
  let event: Stripe.Event;
  try {
    event = await stripe.webhooks.constructEventAsync(
      rawBody,
      signature,
      options.secret,
      undefined,
      cryptoProvider,
      options.now ? options.now().getTime() : undefined,
    );
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      return permanent(`Stripe webhook signature rejected: ${firstLine(error.message)}`, { status: 401 });
    }
    // The signature matched but the body is not JSON: Stripe never sends that, so it is malformed.
    return permanent(`Stripe webhook body is not valid JSON: ${firstLine(String(error))}`, { status: 400 });
  }
  // The signature says who sent it, not that every field has the type we read: a signed body is
  // still parsed before it is trusted (a `created` of 1e308 or a numeric currency is refused here).
  const shape = eventShape.safeParse(event);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    return permanent(`Stripe webhook body is not an event: ${issue.path.join('.') || '(body)'}: ${issue.message}`, {
      status: 400,
    });
  }
  return ok(fromEvent(event));
}

/** Unix seconds of the years 2000–2199, the hub's supported range. */
const MIN_CREATED = Date.UTC(MIN_YEAR, 0, 1) / 1000;
const MAX_CREATED = Date.UTC(MAX_YEAR + 1, 0, 1) / 1000 - 1;
const minorAmount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The fields of an event `fromEvent` reads (https://docs.stripe.com/api/events/object); others pass through. */
const eventShape = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  created: z.number().int().min(MIN_CREATED).max(MAX_CREATED),
  data: z.object({
    object: z.object({
      object: z.string().optional(),
      id: z.string().max(255).optional(),
      amount: minorAmount.optional(),
      amount_received: minorAmount.optional(),
      currency: z
        .string()
        .regex(/^[A-Za-z]{3}$/)
        .optional(),
      metadata: z.record(z.string(), z.string()).nullable().optional(),
      // A dispute's (https://docs.stripe.com/api/disputes/object): the PaymentIntent, status, reason.
      payment_intent: z.string().max(255).nullable().optional(),
      status: z.string().max(64).optional(),
      reason: z.string().max(64).nullable().optional(),
    }),
  }),
});

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
