/**
 * Webhook side of the Razorpay simulator: `X-Razorpay-Signature` is the hex HMAC-SHA256 of the
 * raw body keyed with the webhook secret, and `X-Razorpay-Event-Id` names the event for dedupe
 * (https://razorpay.com/docs/webhooks/validate-test). Web Crypto, runtime-neutral.
 */
import type { RzpEvent } from './state.js';

export async function signRazorpayBody(secret: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The body Razorpay POSTs: the event without our bookkeeping field. */
export function eventBody(event: RzpEvent): string {
  const { eventId: _id, ...body } = event;
  return JSON.stringify(body);
}

export async function deliverRazorpayOutbox(deps: {
  outbox: RzpEvent[];
  url: () => string | undefined;
  fetch: typeof fetch;
  secret: string;
}): Promise<number> {
  const url = deps.url();
  if (!url) return 0;
  let delivered = 0;
  for (const event of [...deps.outbox]) {
    const body = eventBody(event);
    try {
      const res = await deps.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-razorpay-signature': await signRazorpayBody(deps.secret, body),
          'x-razorpay-event-id': event.eventId,
        },
        body,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        deps.outbox.splice(deps.outbox.indexOf(event), 1);
        delivered += 1;
      }
    } catch {
      // The endpoint is down: Razorpay retries; the event stays queued.
    }
  }
  return delivered;
}
