/**
 * Stripe webhook verification with Web Crypto (runs on Node and Workers):
 * `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, 300 s tolerance.
 * https://docs.stripe.com/webhooks/signature
 */
import Stripe from 'stripe';
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
  if (!event || typeof event.id !== 'string' || typeof event.type !== 'string' || !event.data) {
    return permanent('Stripe webhook body is not an event', { status: 400 });
  }
  return ok(fromEvent(event));
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
