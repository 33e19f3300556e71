/**
 * v3 signatures (good, wrong, missing, stale, tampered), event parsing, the stage-transition
 * filter and the dedupe key. The expected signature is the SDK's own signature helper's
 * (`Signature.getSignature`, node:crypto), an implementation independent of the Web Crypto code
 * under test: what the hub accepts is what the SDK would accept.
 */
import { readFileSync } from 'node:fs';
import { Signature } from '@hubspot/api-client/lib/src/utils/signature.js';
import { describe, expect, it } from 'vitest';
import {
  dealEventDedupeKey,
  isStageTransition,
  MAX_AGE_MS,
  parseDealEvents,
  signedUri,
  signV3,
  verifyWebhookV3,
} from './webhooks.js';

const SECRET = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const URL_ = 'https://hub.example.com/webhooks/hubspot/org_123?source=hubspot';
const NOW = new Date('2026-01-15T10:00:00.000Z');
const BODY = readFileSync(new URL('./__fixtures__/webhook-events.json', import.meta.url), 'utf8');
const TS = String(NOW.getTime() - 60_000);

const reference = (method: string, uri: string, body: string, ts: string, clientSecret = SECRET): string =>
  Signature.getSignature(method, 'v3', {
    clientSecret,
    requestBody: body,
    url: uri,
    timestamp: Number(ts),
    signature: '', // required by the options type; getSignature only computes
  });

const verify = (over: Partial<Parameters<typeof verifyWebhookV3>[0]> = {}) =>
  verifyWebhookV3({
    method: 'POST',
    url: URL_,
    rawBody: BODY,
    signature: reference('POST', URL_, BODY, TS),
    timestamp: TS,
    clientSecret: SECRET,
    now: () => NOW,
    ...over,
  });

describe('verifyWebhookV3', () => {
  it('accepts a good signature', async () => {
    expect(await verify()).toEqual({ ok: true, value: undefined });
  });

  it('signs as HubSpot documents: base64 HMAC-SHA256 of method + uri + body + timestamp', async () => {
    const mine = await signV3({ method: 'POST', url: URL_, body: BODY, timestamp: TS, clientSecret: SECRET });
    expect(mine).toBe(reference('POST', URL_, BODY, TS));
  });

  it('rejects a wrong signature (other secret) as permanent 401', async () => {
    const other = reference('POST', URL_, BODY, TS, 'not-the-secret');
    const result = await verify({ signature: other });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 401 });
    expect(!result.ok && result.reason).toContain('does not match');
  });

  it.each([undefined, null, ''])('rejects a missing signature (%j)', async (signature) => {
    const result = await verify({ signature });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 401 });
    expect(!result.ok && result.reason).toContain('X-HubSpot-Signature-v3');
  });

  it('rejects a missing or non-numeric timestamp', async () => {
    expect(await verify({ timestamp: undefined })).toMatchObject({ kind: 'permanent', status: 401 });
    expect(await verify({ timestamp: 'yesterday' })).toMatchObject({ kind: 'permanent', status: 401 });
  });

  it('rejects a correctly signed request older than 5 minutes', async () => {
    const stale = String(NOW.getTime() - MAX_AGE_MS - 1);
    const result = await verify({ timestamp: stale, signature: reference('POST', URL_, BODY, stale) });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 401 });
    expect(!result.ok && result.reason).toContain('old');
  });

  it('accepts a request exactly 5 minutes old', async () => {
    const edge = String(NOW.getTime() - MAX_AGE_MS);
    expect(await verify({ timestamp: edge, signature: reference('POST', URL_, BODY, edge) })).toMatchObject({
      ok: true,
    });
  });

  it('rejects a tampered body, a changed timestamp, URL or method', async () => {
    const tampered = BODY.replace('closedwon', 'closedlost');
    expect(tampered).not.toBe(BODY);
    expect(await verify({ rawBody: tampered })).toMatchObject({ kind: 'permanent', status: 401 });
    expect(await verify({ timestamp: String(Number(TS) + 1) })).toMatchObject({ kind: 'permanent' });
    expect(await verify({ url: `${URL_}&x=1` })).toMatchObject({ kind: 'permanent' });
    expect(await verify({ method: 'PUT' })).toMatchObject({ kind: 'permanent' });
  });

  it('rejects a signature that is not base64', async () => {
    expect(await verify({ signature: 'not base64!' })).toMatchObject({ kind: 'permanent', status: 401 });
  });

  it('decodes the percent-encodings HubSpot decodes before signing, and no others', async () => {
    expect(signedUri('https://x.example/a%3Ab%2Fc?q=%40d%2Ce&s=%20')).toBe('https://x.example/a:b/c?q=@d,e&s=%20');
    const encoded = 'https://hub.example.com/webhooks/hubspot?org=acme%3Aeu';
    const decodedSig = reference('POST', 'https://hub.example.com/webhooks/hubspot?org=acme:eu', BODY, TS);
    expect(await verify({ url: encoded, signature: decodedSig })).toMatchObject({ ok: true });
  });
});

describe('parseDealEvents', () => {
  it('parses a batch of subscription events', () => {
    const result = parseDealEvents(BODY);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value).toHaveLength(3);
    expect(result.value[0]).toEqual({
      eventId: '100',
      subscriptionType: 'deal.propertyChange',
      portalId: '24680135',
      objectId: '18273645501',
      propertyName: 'dealstage',
      propertyValue: 'closedwon',
      occurredAt: 1768471200000,
      changeSource: 'CRM_UI',
    });
    expect(result.value[2]).toMatchObject({ subscriptionType: 'deal.creation', propertyName: null });
  });

  it.each([
    ['not JSON', '{"eventId": 1,'],
    ['not an array', '{"eventId": 1}'],
    ['an event without objectId', '[{"eventId":1,"subscriptionType":"deal.propertyChange","occurredAt":1}]'],
    ['an event with a string occurredAt', '[{"eventId":1,"objectId":2,"subscriptionType":"x","occurredAt":"1"}]'],
  ])('rejects %s as permanent', (_, body) => {
    expect(parseDealEvents(body)).toMatchObject({ ok: false, kind: 'permanent', status: 400 });
  });
});

describe('stage transitions and dedupe', () => {
  const events = (() => {
    const r = parseDealEvents(BODY);
    if (!r.ok) throw new Error(r.reason);
    return r.value;
  })();
  const triggers = ['closedwon', '987654321'];

  it('counts a dealstage change to a trigger stage', () => {
    expect(isStageTransition(events[0], triggers)).toBe(true);
  });

  it('does not count a change of another property, even with the same event id', () => {
    expect(events[1].eventId).toBe(events[0].eventId);
    expect(isStageTransition(events[1], triggers)).toBe(false);
  });

  it('does not count a stage change to a non-trigger stage, or other subscription types', () => {
    expect(isStageTransition({ ...events[0], propertyValue: 'contractsent' }, triggers)).toBe(false);
    expect(isStageTransition({ ...events[0], subscriptionType: 'contact.propertyChange' }, triggers)).toBe(false);
    expect(isStageTransition(events[2], triggers)).toBe(false);
  });

  it('dedupes on deal, new value and time, not on the (non-unique) event id', () => {
    expect(dealEventDedupeKey(events[0])).toBe('18273645501:closedwon:1768471200000');
    // Same event id, different change: different keys.
    expect(dealEventDedupeKey(events[1])).not.toBe(dealEventDedupeKey(events[0]));
    // A redelivery (new attempt, new event id) of the same change: same key.
    expect(dealEventDedupeKey({ ...events[0], eventId: '999' })).toBe(dealEventDedupeKey(events[0]));
  });
});
