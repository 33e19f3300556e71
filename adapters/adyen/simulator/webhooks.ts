/**
 * Standard webhooks of the Adyen simulator: each notification is signed the way Adyen documents
 * (HMAC-SHA256 with the hex-decoded key over
 * `pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success`,
 * Base64, in `additionalData.hmacSignature`; https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures)
 * and delivered one item per request; the endpoint must answer `[accepted]`.
 */
import type { SimNotificationItem } from './state.js';

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function signedData(item: SimNotificationItem): string {
  return [
    item.pspReference,
    item.originalReference ?? '',
    item.merchantAccountCode,
    item.merchantReference,
    String(item.amount.value),
    item.amount.currency,
    item.eventCode,
    item.success,
  ].join(':');
}

export async function signNotification(hmacKeyHex: string, item: SimNotificationItem): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    hexToBytes(hmacKeyHex) as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(signedData(item))));
  let text = '';
  for (const b of mac) text += String.fromCharCode(b);
  return btoa(text);
}

/** The request body Adyen POSTs for one notification (`live` is a string, as Adyen sends it). */
export async function notificationBody(hmacKeyHex: string, item: SimNotificationItem): Promise<string> {
  const hmacSignature = await signNotification(hmacKeyHex, item);
  return JSON.stringify({
    live: 'false',
    notificationItems: [
      { NotificationRequestItem: { ...item, additionalData: { ...item.additionalData, hmacSignature } } },
    ],
  });
}

export interface AdyenOutboxDeps {
  outbox: SimNotificationItem[];
  url: () => string | undefined;
  fetch: typeof fetch;
  hmacKey: string;
}

/** POSTs pending notifications in order; one leaves the outbox only when answered `[accepted]`. */
export async function deliverAdyenOutbox(deps: AdyenOutboxDeps): Promise<number> {
  const url = deps.url();
  if (!url) return 0;
  let delivered = 0;
  for (const item of [...deps.outbox]) {
    try {
      const res = await deps.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: await notificationBody(deps.hmacKey, item),
      });
      const text = await res.text().catch(() => '');
      if (res.ok && text.includes('[accepted]')) {
        deps.outbox.splice(deps.outbox.indexOf(item), 1);
        delivered += 1;
      }
    } catch {
      // The endpoint is down: Adyen retries later; the item stays queued.
    }
  }
  return delivered;
}
