/**
 * The CrmPort contract: every CRM adapter runs it against its vendor's simulator.
 * A new vendor adds `adapters/<vendor>/contract.test.ts` calling
 * `runCrmPortContract('<vendor>', async () => ({ port, seedWonDeal, read, writes, fields, ... }))`:
 * the factory starts a fresh simulator, builds the adapter against it with an injected clock,
 * seeds won deals and reads the vendor's records back, so verdicts come from the vendor's side.
 * The CRM port writes no objects (write-backs set absolute values and need no key), so "create"
 * and "idempotent retry" here mean: a write-back repeated after a lost answer leaves one state.
 * Inbound webhooks are vendor helpers, not part of the port: a vendor that has a signature
 * check passes it as `webhook` and the suite checks good, tampered and (where signed) stale.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/domain/outcome.js';
import type { CrmPort } from '../ports.js';
import {
  expectPermanent,
  expectRateLimited,
  expectServerError,
  expectUnauthorized,
  type FaultHooks,
  unwrap,
} from './failures.contract.js';

export interface CrmWebhookHooks {
  /** Headers the vendor (or its relay) sends with `rawBody`, signed `ageSeconds` ago. */
  sign(rawBody: string, ageSeconds?: number): Promise<Headers>;
  verify(rawBody: string, headers: Headers): Promise<Outcome<void>>;
  /** Whether the signature covers a timestamp (only then can a stale delivery be refused). */
  timestamped: boolean;
}

export interface CrmContractSetup extends FaultHooks {
  port: CrmPort;
  /** Seeds a won deal with lines and an account, modified at the setup's clock. */
  seedWonDeal(): { dealId: string; accountId: string };
  /** A field's value as the simulated vendor stores it (null when unset). */
  read(object: 'deal' | 'account', id: string, field: string): unknown;
  /** How many write-backs the simulated vendor accepted. */
  writes(): number;
  /** Writable custom fields on deal and account, and a name the vendor does not have. */
  fields: { deal: string; account: string; unknown: string };
  /** A well-formed deal id no deal has. */
  missingDealId: string;
  /** The setup's clock, ISO 8601. */
  now: string;
  webhook?: CrmWebhookHooks;
  close(): Promise<void>;
}

/** Older than every vendor's replay window we know of (HubSpot 5 min). */
const STALE_SECONDS = 3600;

export function runCrmPortContract(name: string, setup: () => Promise<CrmContractSetup>): void {
  describe(`CrmPort contract: ${name}`, () => {
    let s: CrmContractSetup;
    beforeEach(async () => {
      s = await setup();
    });
    afterEach(() => s.close());

    describe('read by id and poll', () => {
      it('fetches a seeded deal with its lines and account', async () => {
        const { dealId, accountId } = s.seedWonDeal();
        const bundle = unwrap(await s.port.fetchDeal(dealId));
        expect(bundle.source).toBe(s.port.vendor);
        expect(bundle.deal.id).toBe(dealId);
        expect(bundle.deal.isWon).toBe(true);
        expect(bundle.lineItems.length).toBeGreaterThan(0);
        expect(bundle.deal.accountId).toBe(accountId);
      });

      it('an unknown deal is permanent', async () => {
        expectPermanent(await s.port.fetchDeal(s.missingDealId));
      });

      it('lists won deals changed since a cursor, and none after the last change', async () => {
        const { dealId } = s.seedWonDeal();
        const dayBefore = new Date(Date.parse(s.now) - 86_400_000).toISOString();
        const changed = unwrap(await s.port.listWonDealsChangedSince(dayBefore, 10));
        expect(changed.map((d) => d.id)).toContain(dealId);
        const last = changed.at(-1)?.lastModified ?? s.now;
        expect(unwrap(await s.port.listWonDealsChangedSince(last, 10))).toEqual([]);
      });
    });

    describe('write-back (idempotent by nature)', () => {
      it('sets and clears deal and account fields at the vendor', async () => {
        const { dealId, accountId } = s.seedWonDeal();
        unwrap(await s.port.writeBack(dealId, { [s.fields.deal]: 'paid' }));
        expect(s.read('deal', dealId, s.fields.deal)).toBe('paid');
        unwrap(await s.port.writeBack(dealId, { [s.fields.deal]: null }));
        // HubSpot stores a cleared property as the empty string; Salesforce as null.
        expect([null, '']).toContain(s.read('deal', dealId, s.fields.deal));
        unwrap(await s.port.writeBackAccount(accountId, { [s.fields.account]: 'current' }));
        expect(s.read('account', accountId, s.fields.account)).toBe('current');
      });

      it('repeating a write-back leaves the state one write would', async () => {
        const { dealId } = s.seedWonDeal();
        unwrap(await s.port.writeBack(dealId, { [s.fields.deal]: 'invoiced' }));
        unwrap(await s.port.writeBack(dealId, { [s.fields.deal]: 'invoiced' }));
        expect(s.read('deal', dealId, s.fields.deal)).toBe('invoiced');
      });

      it('a dropped connection after the write is ok or retryable (never indeterminate); the retry converges', async () => {
        const { dealId } = s.seedWonDeal();
        s.inject({ kind: 'timeout' });
        // A 204 has no body to lose: an SDK may not notice the drop at all, which is fine here.
        const lost = await s.port.writeBack(dealId, { [s.fields.deal]: 'paid' });
        if (!lost.ok) expect(lost.kind).toBe('retryable');
        expect(s.read('deal', dealId, s.fields.deal)).toBe('paid');
        unwrap(await s.port.writeBack(dealId, { [s.fields.deal]: 'paid' }));
        expect(s.read('deal', dealId, s.fields.deal)).toBe('paid');
      });
    });

    describe('error classes', () => {
      it('429 with Retry-After is retryable with the wait; nothing is written', async () => {
        const { dealId } = s.seedWonDeal();
        s.inject({ kind: 'status', status: 429, retryAfterSeconds: 20 });
        expectRateLimited(await s.port.writeBack(dealId, { [s.fields.deal]: 'paid' }), 20);
        expect(s.writes()).toBe(0);
      });

      it('5xx is never permanent', async () => {
        const { dealId } = s.seedWonDeal();
        s.inject({ kind: 'status', status: 503 });
        expectServerError(await s.port.fetchDeal(dealId), false);
        s.inject({ kind: 'status', status: 500 });
        expectServerError(await s.port.writeBack(dealId, { [s.fields.deal]: 'paid' }), true);
      });

      it('a field the vendor does not have is a permanent validation error', async () => {
        const { dealId } = s.seedWonDeal();
        expectPermanent(await s.port.writeBack(dealId, { [s.fields.unknown]: 'x' }));
        expect(s.writes()).toBe(0);
      });

      it('rejected credentials that cannot be refreshed ask for a reconnect', async () => {
        const { dealId } = s.seedWonDeal();
        s.revokeCredentials();
        expectUnauthorized(await s.port.fetchDeal(dealId), s.unauthorized, s.port.vendor);
      });
    });

    describe('webhook signature', () => {
      const body = '{"contract":"event","stage":"closedwon","amount":"1000.00"}';

      it('a good signature verifies; a tampered body or missing header does not', async (ctx) => {
        if (!s.webhook) return ctx.skip();
        const headers = await s.webhook.sign(body);
        unwrap(await s.webhook.verify(body, headers));
        expectPermanent(await s.webhook.verify(body.replace('1000.00', '1.00'), headers));
        expectPermanent(await s.webhook.verify(body, new Headers()));
      });

      it('a stale signature is refused', async (ctx) => {
        if (!s.webhook?.timestamped) return ctx.skip();
        const headers = await s.webhook.sign(body, STALE_SECONDS);
        expectPermanent(await s.webhook.verify(body, headers));
      });
    });
  });
}
