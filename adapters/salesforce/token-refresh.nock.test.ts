/**
 * Refreshing the Salesforce access token ahead of its expiry: the real jsforce against nock, on a
 * manual clock. Salesforce's token response has no expires_in; a session lasts the org's session
 * timeout (connection config `sessionTimeoutMinutes`, default 120) after its issue time, and the
 * adapter refreshes at the start of a port call within 5 minutes of that end.
 * Response bodies come from __fixtures__ (token-refresh.json has the shape Salesforce answers).
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import type { Failure } from '../../src/domain/outcome.js';
import { buildPort, needsReconnect, sessionTimeoutMinutes } from '../registry.js';
import {
  DEFAULT_SESSION_TIMEOUT_MINUTES,
  parseSessionTimeoutMinutes,
  type RefreshedToken,
  type SalesforceConfig,
} from './client.js';
import { SESSION_EXPIRED } from './errors.js';
import { createSalesforceAdapter, type SalesforceAdapter } from './index.js';
import { base64UrlDecode, JWT_BEARER_GRANT, tokenIssuedAt } from './oauth.js';

const INSTANCE = 'https://globex.my.salesforce.com';
const LOGIN = 'https://login.salesforce.com';
const QUERY_PATH = '/services/data/v62.0/query';
const TOKEN_PATH = '/services/oauth2/token';
const OPP_ID = '0065g00000KxYzQAAV';
const OLD = '00D5g0000012ABC!AQ4AQOld.Token';
const START = '2026-03-02T09:00:00.000Z';
const MINUTE = 60_000;

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'));
const errors = fixture('errors');
const FRESH = fixture('token-refresh').access_token as string;

let clock: ManualClock;
/** What went over the wire, in order: "token" or "query <Authorization header>". */
let wire: string[];
let reported: [string, RefreshedToken][];

beforeEach(() => {
  nock.disableNetConnect();
  clock = new ManualClock(START);
  wire = [];
  reported = [];
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

function adapter(extra: Partial<SalesforceConfig> = {}): SalesforceAdapter {
  return createSalesforceAdapter({
    instanceUrl: INSTANCE,
    accessToken: OLD,
    accessTokenIssuedAt: START,
    refreshToken: '5Aep861.refresh',
    clientId: '3MVG9.consumer',
    clientSecret: 'consumer-secret',
    now: () => clock.now(),
    onTokenRefresh: (accessToken, details) => reported.push([accessToken, details]),
    ...extra,
  });
}

/** Queries answered 200 (or 401 for `rejected` tokens), each recorded with its Authorization header. */
function interceptQueries(times: number, rejected: string[] = []) {
  return nock(INSTANCE)
    .get(QUERY_PATH)
    .query(true)
    .times(times)
    .reply(function reply() {
      const auth = String(this.req.headers.authorization);
      wire.push(`query ${auth}`);
      return rejected.some((t) => auth === `Bearer ${t}`)
        ? [401, errors.invalidSession]
        : [200, fixture('query-opportunity')];
    });
}

/** The token endpoint: a new token issued "now" on the manual clock, the forms recorded. */
function interceptToken(forms: URLSearchParams[] = [], times = 1) {
  return nock(LOGIN)
    .post(TOKEN_PATH, (body) => {
      forms.push(new URLSearchParams(body));
      return true;
    })
    .times(times)
    .reply(() => {
      wire.push('token');
      return [200, { ...fixture('token-refresh'), issued_at: String(clock.now().getTime()) }];
    });
}

describe('refresh ahead of expiry (refresh token grant)', () => {
  it('(a) a token 1 h old with a 2 h lifetime is used as it is: one API call, no refresh', async () => {
    const token = interceptToken();
    interceptQueries(1);
    const sf = adapter();
    clock.advance(60 * MINUTE);
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual([`query Bearer ${OLD}`]);
    expect(token.isDone()).toBe(false);
    expect(reported).toEqual([]);
    expect(sf.client.tokenExpiresAt()?.toISOString()).toBe('2026-03-02T11:00:00.000Z');
  });

  it('(b) a token 1 h 56 min old is refreshed first; the call goes out with the new token, no 401', async () => {
    const forms: URLSearchParams[] = [];
    interceptToken(forms);
    // The old token would be refused: had it been sent, a 401 would show in `wire`.
    interceptQueries(2, [OLD]);
    const sf = adapter();
    clock.advance(116 * MINUTE);

    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual(['token', `query Bearer ${FRESH}`]);
    expect(forms.map((f) => Object.fromEntries(f))).toEqual([
      {
        grant_type: 'refresh_token',
        refresh_token: '5Aep861.refresh',
        client_id: '3MVG9.consumer',
        client_secret: 'consumer-secret',
      },
    ]);
    const issuedAt = '2026-03-02T10:56:00.000Z';
    expect(reported).toEqual([[FRESH, { issuedAt }]]);
    expect(sf.client.connection.accessToken).toBe(FRESH);
    expect(sf.client.tokenExpiresAt()?.toISOString()).toBe('2026-03-02T12:56:00.000Z');

    // The new token is good for another 2 hours: the next call does not refresh.
    clock.advance(30 * MINUTE);
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual(['token', `query Bearer ${FRESH}`, `query Bearer ${FRESH}`]);
  });

  it('a token past its expiry is refreshed first too, for every kind of port call', async () => {
    interceptToken();
    const patched: string[] = [];
    nock(INSTANCE)
      .patch(`/services/data/v62.0/sobjects/Opportunity/${OPP_ID}`)
      .reply(function reply() {
        patched.push(String(this.req.headers.authorization));
        return [204];
      });
    const sf = adapter();
    clock.advance(3 * 60 * MINUTE);
    expect((await sf.writeBack(OPP_ID, { Billing_Status__c: 'Invoiced' })).ok).toBe(true);
    expect(wire).toEqual(['token']);
    expect(patched).toEqual([`Bearer ${FRESH}`]);
  });

  it('(c) a refused proactive refresh needs a reconnect, like a refused refresh after a 401, and sends no call', async () => {
    const query = interceptQueries(1);
    nock(LOGIN).post(TOKEN_PATH).reply(400, fixture('token-invalid-grant'));
    const sf = adapter();
    clock.advance(116 * MINUTE);
    const proactive = await sf.fetchDeal(OPP_ID);

    expect(query.isDone()).toBe(false);
    expect(wire).toEqual([]);
    expect(reported).toEqual([]);
    expect(proactive).toEqual({ ok: false, kind: 'retryable', reason: SESSION_EXPIRED, status: 401, reconnect: true });
    expect(needsReconnect(proactive as Failure)?.vendor).toBe('salesforce');

    // The same refusal after a 401 (issue time unknown, so no refresh ahead) gives the same outcome.
    nock.cleanAll();
    interceptQueries(1, [OLD]);
    nock(LOGIN).post(TOKEN_PATH).reply(400, fixture('token-invalid-grant'));
    const reactive = await adapter({ accessTokenIssuedAt: undefined }).fetchDeal(OPP_ID);
    expect(wire).toEqual([`query Bearer ${OLD}`]);
    expect(reactive).toEqual(proactive);
  });

  it('a failed proactive refresh is tried again on the next port call', async () => {
    nock(LOGIN).post(TOKEN_PATH).reply(503, 'Service Unavailable');
    const sf = adapter();
    clock.advance(116 * MINUTE);
    expect(await sf.fetchDeal(OPP_ID)).toMatchObject({ ok: false, reason: SESSION_EXPIRED });
    interceptToken();
    interceptQueries(1);
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual(['token', `query Bearer ${FRESH}`]);
  });

  it('(d) two concurrent calls near expiry share one refresh', async () => {
    const forms: URLSearchParams[] = [];
    interceptToken(forms, 2);
    interceptQueries(2, [OLD]);
    const sf = adapter();
    clock.advance(116 * MINUTE);
    const [first, second] = await Promise.all([sf.fetchDeal(OPP_ID), sf.fetchDeal(OPP_ID)]);
    expect(first.ok && second.ok).toBe(true);
    expect(forms).toHaveLength(1);
    expect(wire).toEqual(['token', `query Bearer ${FRESH}`, `query Bearer ${FRESH}`]);
    expect(reported).toHaveLength(1);
  });

  it('concurrent calls whose shared refresh fails all need a reconnect, and none is sent', async () => {
    const query = interceptQueries(1);
    nock(LOGIN).post(TOKEN_PATH).reply(400, fixture('token-invalid-grant'));
    const sf = adapter();
    clock.advance(116 * MINUTE);
    const outcomes = await Promise.all([sf.fetchDeal(OPP_ID), sf.listWonDealsChangedSince(START, 10)]);
    for (const outcome of outcomes) {
      expect(outcome).toEqual({ ok: false, kind: 'retryable', reason: SESSION_EXPIRED, status: 401, reconnect: true });
    }
    expect(query.isDone()).toBe(false);
  });

  it('honours the configured session timeout', async () => {
    interceptToken();
    interceptQueries(2);
    const sf = adapter({ sessionTimeoutMinutes: 30 });
    clock.advance(24 * MINUTE);
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    clock.advance(2 * MINUTE); // 26 minutes: inside the 5-minute margin of a 30-minute session
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual([`query Bearer ${OLD}`, 'token', `query Bearer ${FRESH}`]);
  });

  it('without a known issue time it refreshes only on 401, which then records the issue time', async () => {
    interceptQueries(3, [OLD]);
    interceptToken([], 2);
    const sf = adapter({ accessTokenIssuedAt: undefined });
    clock.advance(10 * 60 * MINUTE);
    expect(sf.client.tokenExpiresAt()).toBeUndefined();
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual([`query Bearer ${OLD}`, 'token', `query Bearer ${FRESH}`]);
    expect(reported).toEqual([[FRESH, { issuedAt: '2026-03-02T19:00:00.000Z' }]]);

    // From then on the clock is known: 1 h 56 min later the refresh comes first.
    clock.advance(116 * MINUTE);
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire.slice(3)).toEqual(['token', `query Bearer ${FRESH}`]);
  });

  it('the 401 fallback stays: a token revoked early is refreshed on 401 once', async () => {
    interceptQueries(2, [OLD]);
    interceptToken();
    const sf = adapter();
    clock.advance(10 * MINUTE);
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual([`query Bearer ${OLD}`, 'token', `query Bearer ${FRESH}`]);
  });

  it('stores a rotated refresh token and uses it for the next refresh', async () => {
    const forms: URLSearchParams[] = [];
    nock(LOGIN)
      .post(TOKEN_PATH, (body) => {
        forms.push(new URLSearchParams(body));
        return true;
      })
      .times(2)
      .reply(() => [
        200,
        {
          ...fixture('token-refresh'),
          refresh_token: `5Aep861.rotated.${forms.length}`,
          issued_at: String(clock.now().getTime()),
        },
      ]);
    interceptQueries(2);
    const sf = adapter();
    clock.advance(116 * MINUTE);
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(reported[0]?.[1]).toEqual({ issuedAt: '2026-03-02T10:56:00.000Z', refreshToken: '5Aep861.rotated.1' });
    clock.advance(116 * MINUTE);
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(forms.map((f) => f.get('refresh_token'))).toEqual(['5Aep861.refresh', '5Aep861.rotated.1']);
  });

  it('takes our clock, not issued_at, when Salesforce’s clock is far off', async () => {
    nock(LOGIN)
      .post(TOKEN_PATH)
      .reply(200, { ...fixture('token-refresh'), issued_at: String(Date.parse(START) - 5 * 60 * MINUTE) });
    interceptQueries(2);
    const sf = adapter();
    clock.advance(116 * MINUTE);
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(reported[0]?.[1].issuedAt).toBe('2026-03-02T10:56:00.000Z');
    // Not refreshed again on the next call (issued_at taken as is would be long expired).
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual([`query Bearer ${FRESH}`, `query Bearer ${FRESH}`]);
  });
});

async function rsaPem(): Promise<string> {
  const pair = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', pair.privateKey)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

describe('refresh ahead of expiry (JWT bearer)', () => {
  it('(e) a JWT connection near expiry mints a new token before the call', async () => {
    const forms: URLSearchParams[] = [];
    interceptToken(forms);
    interceptQueries(1, [OLD]);
    const jwt = { clientId: '3MVG9.jwt.app', username: 'integration@globex.example', privateKeyPem: await rsaPem() };
    const sf = adapter({ refreshToken: undefined, clientId: jwt.clientId, clientSecret: undefined, jwt });
    clock.advance(117 * MINUTE);

    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual(['token', `query Bearer ${FRESH}`]);
    expect(forms).toHaveLength(1);
    expect(forms[0]?.get('grant_type')).toBe(JWT_BEARER_GRANT);
    const claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(forms[0]!.get('assertion')!.split('.')[1]!)));
    // Signed on the injected clock: exp is 3 minutes after the manual clock's now.
    expect(claims).toEqual({
      iss: jwt.clientId,
      sub: jwt.username,
      aud: LOGIN,
      exp: Date.parse('2026-03-02T11:00:00.000Z') / 1000,
    });
    expect(reported).toEqual([[FRESH, { issuedAt: '2026-03-02T10:57:00.000Z' }]]);
  });

  it('a rejected JWT on a proactive re-mint needs a reconnect', async () => {
    nock(LOGIN).post(TOKEN_PATH).reply(400, { error: 'invalid_grant', error_description: 'invalid assertion' });
    const query = interceptQueries(1);
    const jwt = { clientId: '3MVG9.jwt.app', username: 'integration@globex.example', privateKeyPem: await rsaPem() };
    const sf = adapter({ refreshToken: undefined, clientSecret: undefined, jwt });
    clock.advance(117 * MINUTE);
    const outcome = await sf.fetchDeal(OPP_ID);
    expect(outcome).toEqual({ ok: false, kind: 'retryable', reason: SESSION_EXPIRED, status: 401, reconnect: true });
    expect(query.isDone()).toBe(false);
  });
});

describe('sessionTimeoutMinutes config', () => {
  it.each([
    [undefined, DEFAULT_SESSION_TIMEOUT_MINUTES],
    ['', DEFAULT_SESSION_TIMEOUT_MINUTES],
    ['15', 15],
    [' 30 ', 30],
    ['1440', 1440],
  ])('accepts %j as %i minutes', (value, minutes) => {
    expect(parseSessionTimeoutMinutes(value)).toEqual({ ok: true, value: minutes });
    expect(sessionTimeoutMinutes(value)).toBe(minutes);
  });

  it.each(['14', '1441', '0', '-30', '90.5', '1e2', 'two hours', '120m'])('refuses %j', (value) => {
    const parsed = parseSessionTimeoutMinutes(value);
    expect(parsed).toEqual({ ok: false, message: 'must be a whole number of minutes from 15 to 1440' });
    // The adapter falls back to the default: the 401 refresh still covers a shorter session.
    expect(sessionTimeoutMinutes(value)).toBe(DEFAULT_SESSION_TIMEOUT_MINUTES);
  });
});

describe('registry wiring', () => {
  it('reads the issue time from the secrets and the timeout from the config, and stores refreshed tokens with their issue time', async () => {
    interceptToken();
    interceptQueries(1, [OLD]);
    const stored: [string, Record<string, string>][] = [];
    const crm = buildPort(
      {
        vendor: 'salesforce',
        config: { instanceUrl: INSTANCE, loginUrl: LOGIN, sessionTimeoutMinutes: '60' },
        secrets: {
          accessToken: OLD,
          accessTokenIssuedAt: START,
          refreshToken: '5Aep861.refresh',
          clientId: '3MVG9.consumer',
          clientSecret: 'consumer-secret',
        },
      },
      { now: () => clock.now(), onSecretsRefreshed: (vendor, secrets) => stored.push([vendor, secrets]) },
    ) as SalesforceAdapter;
    expect(crm.client.tokenExpiresAt()?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    clock.advance(56 * MINUTE);
    expect((await crm.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(wire).toEqual(['token', `query Bearer ${FRESH}`]);
    expect(stored).toEqual([['salesforce', { accessToken: FRESH, accessTokenIssuedAt: '2026-03-02T09:56:00.000Z' }]]);
  });
});

describe('tokenIssuedAt', () => {
  const at = new Date(START);
  it('takes issued_at when it lies just before the receipt time', () => {
    expect(tokenIssuedAt({ issued_at: String(at.getTime() - 2_000) }, at)).toBe('2026-03-02T08:59:58.000Z');
  });
  it('takes the receipt time when issued_at is missing, unreadable, in the future or far in the past', () => {
    for (const issued_at of [undefined, 'soon', String(at.getTime() + 60_000), String(at.getTime() - 6 * MINUTE)]) {
      expect(tokenIssuedAt({ issued_at }, at)).toBe(START);
    }
  });
});
