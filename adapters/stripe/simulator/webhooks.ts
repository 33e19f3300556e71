/**
 * Webhook side of the Stripe simulator: signing (Web Crypto, runtime-neutral) and the outbox
 * delivery loop. Signature scheme: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`
 * keyed with the endpoint secret. https://docs.stripe.com/webhooks/signature
 */
import type { SimAnyEvent } from './objects.js';

export async function signStripePayload(secret: string, body: string, timestamp: number): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestamp}.${body}`)));
  const hex = Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `t=${timestamp},v1=${hex}`;
}

export interface DeliveryAttempt {
  eventId: string;
  /** HTTP status of the endpoint's answer, or null when the request itself failed. */
  status: number | null;
  error?: string;
}

export interface OutboxDeps {
  outbox: SimAnyEvent[];
  attempts: DeliveryAttempt[];
  url: () => string | undefined;
  fetch: typeof fetch;
  sign: (body: string) => Promise<string>;
}

/**
 * POSTs every pending event in order; events the endpoint accepts (2xx) leave the outbox,
 * the others stay for the next flush (Stripe retries failed deliveries too). Returns how many
 * were delivered.
 */
export async function deliverOutbox(deps: OutboxDeps): Promise<number> {
  const url = deps.url();
  if (!url) return 0;
  let delivered = 0;
  for (const event of [...deps.outbox]) {
    // Stripe sends the event as pretty-printed JSON; the signature covers these exact bytes.
    const body = JSON.stringify(event, null, 2);
    const attempt: DeliveryAttempt = { eventId: event.id, status: null };
    try {
      const res = await deps.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': await deps.sign(body),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body,
      });
      await res.arrayBuffer().catch(() => undefined);
      attempt.status = res.status;
      if (res.ok) {
        deps.outbox.splice(deps.outbox.indexOf(event), 1);
        delivered += 1;
      }
    } catch (error) {
      attempt.error = error instanceof Error ? error.message : String(error);
    }
    deps.attempts.push(attempt);
  }
  return delivered;
}
