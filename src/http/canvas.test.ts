import { describe, expect, it } from 'vitest';
import {
  canvasRecordId,
  parseSignedRequest,
  sameSalesforceId,
  signCanvasRequest,
  verifyCanvasSignature,
} from './canvas.js';

const envelope = {
  algorithm: 'HMACSHA256',
  issuedAt: 1,
  client: { oauthToken: 'token' },
  context: {
    user: { userId: '005000000000001AAA', userName: 'Zoë <zoe@example.com>', profileId: '00e000000000001AAA' },
    organization: { organizationId: '00D000000000001AAA' },
    environment: { record: { Id: '006000000000001AAA' } },
  },
};

async function parsedOk(signed: string) {
  const parsed = parseSignedRequest(signed);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('Canvas signed requests', () => {
  it('verifies a request signed with the consumer secret and decodes UTF-8 envelopes', async () => {
    const parsed = await parsedOk(await signCanvasRequest(envelope, 'secret'));
    expect(await verifyCanvasSignature(parsed, 'secret')).toBe(true);
    expect(await verifyCanvasSignature(parsed, 'other')).toBe(false);
    expect(await verifyCanvasSignature(parsed, '')).toBe(false);
    expect(parsed.envelope.context.user.userName).toBe('Zoë <zoe@example.com>');
    expect(canvasRecordId(parsed.envelope)).toBe('006000000000001AAA');
  });

  it('fails verification when one character of the envelope changes', async () => {
    const signed = await signCanvasRequest(envelope, 'secret');
    const [sig, env] = signed.split('.') as [string, string];
    const changed = `${sig}.${env.slice(0, 10)}${env[10] === 'A' ? 'B' : 'A'}${env.slice(11)}`;
    const parsed = parseSignedRequest(changed);
    // Either the garbled envelope no longer parses, or its signature no longer matches.
    expect(parsed.ok ? await verifyCanvasSignature(parsed.value, 'secret') : false).toBe(false);
  });

  it('rejects malformed requests before any secret is looked up', async () => {
    const b64 = (v: unknown) => btoa(JSON.stringify(v));
    for (const bad of [
      undefined,
      '',
      'no-dot',
      '.abc',
      'abc.',
      'a$b.c',
      `AAAA.${btoa('not json')}`,
      `AAAA.${b64({ ...envelope, algorithm: 'none' })}`,
      `AAAA.${b64({ ...envelope, context: { user: {} } })}`,
      `AAAA.${'A'.repeat(300 * 1024)}`,
    ]) {
      const parsed = parseSignedRequest(bad);
      expect(parsed.ok, String(bad).slice(0, 40)).toBe(false);
      if (!parsed.ok) expect(parsed.status).toBe(401);
    }
  });

  it('compares Salesforce ids on their 15-character form', () => {
    expect(sameSalesforceId('00e000000000001', '00e000000000001AAA')).toBe(true);
    expect(sameSalesforceId('00e000000000001', '00E000000000001AAA')).toBe(false);
    expect(sameSalesforceId('', '')).toBe(false);
  });
});
