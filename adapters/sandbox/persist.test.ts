/**
 * Simulator state through JSON and back: a fresh simulator restored from a snapshot holds the
 * same objects, replays the same idempotent answers and goes on with new ids, as the vendor
 * would after the hub's restart.
 */
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { createAvalaraSimulator, SIMULATOR_CREDENTIALS } from '../avalara/simulator/index.js';
import { createHubSpotSimulator } from '../hubspot/simulator/index.js';
import { createQuickBooksSimulator } from '../quickbooks/simulator/index.js';
import { createSalesforceSimulator } from '../salesforce/simulator/index.js';
import { createStripeSimulator } from '../stripe/simulator/index.js';
import { decodeState, encodeState, type PersistentSimulator, restoreInto } from './persist.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const now = () => NOW;

/** The snapshot as it comes back from a file. */
const throughJson = (sim: PersistentSimulator) => JSON.parse(JSON.stringify(sim.snapshot()));

describe('the codec', () => {
  it('keeps Maps, Sets, decimals, bytes and dates, and restores into existing objects in place', () => {
    const target = {
      map: new Map<string, unknown>(),
      set: new Set<string>(),
      list: [] as unknown[],
      nested: { count: 0, when: null as Date | null },
      clock: () => NOW,
    };
    const keptMap = target.map;
    const source = {
      map: new Map<string, unknown>([
        ['a', { amount: new Decimal('12.345'), bytes: new Uint8Array([1, 2, 255]) }],
        ['b', new Set([1, 2])],
      ]),
      set: new Set(['x']),
      list: [new Map([[1, 'one']])],
      nested: { count: 7, when: new Date('2026-01-02T03:04:05Z') },
    };
    restoreInto(target, JSON.parse(JSON.stringify(encodeState(source))));
    expect(target.map).toBe(keptMap);
    const a = target.map.get('a') as { amount: Decimal; bytes: Uint8Array };
    expect(Decimal.isDecimal(a.amount) && a.amount.toString()).toBe('12.345');
    expect([...a.bytes]).toEqual([1, 2, 255]);
    expect(target.map.get('b')).toEqual(new Set([1, 2]));
    expect(target.set).toEqual(new Set(['x']));
    expect(target.list).toEqual([new Map([[1, 'one']])]);
    expect(target.nested).toEqual({ count: 7, when: new Date('2026-01-02T03:04:05Z') });
    expect(target.clock()).toBe(NOW);
  });

  it('refuses to rebuild a class it does not know', () => {
    class Unknown {
      x = 1;
    }
    expect(() => decodeState(encodeState([new Unknown()]))).toThrow(/unknown class Unknown/);
  });
});

describe('each simulator restored from its snapshot', () => {
  it('Stripe replays an idempotency key and issues new ids after it', async () => {
    const key = 'sk_test_x';
    const make = () => createStripeSimulator({ webhookSecret: 'whsec_x', now });
    const create = (sim: ReturnType<typeof make>, idempotencyKey: string) =>
      sim.app.request('/v1/customers', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': idempotencyKey,
        },
        body: 'email=ap%40acme.example',
      });
    const first = make();
    first.setWebhookUrl('http://127.0.0.1:9/webhooks/stripe/con_1');
    const original = (await (await create(first, 'k1')).json()) as { id: string };

    const second = make();
    second.restore(throughJson(first));
    expect(second.snapshot()).toEqual(first.snapshot());
    expect(((await (await create(second, 'k1')).json()) as { id: string }).id).toBe(original.id);
    const next = (await (await create(second, 'k2')).json()) as { id: string };
    expect(next.id).not.toBe(original.id);
    expect(second.state.customers.size).toBe(2);
    // The webhook endpoint is part of the account.
    expect((second.snapshot() as { endpoint: { url: string } }).endpoint.url).toBe(
      'http://127.0.0.1:9/webhooks/stripe/con_1',
    );
  });

  it('QuickBooks replays a requestid per realm and numbers on', async () => {
    const make = () => createQuickBooksSimulator({ now, accessToken: 't' });
    const create = (sim: ReturnType<typeof make>, requestId: string, name: string) =>
      sim.app.request(`/v3/company/123/customer?requestid=${requestId}&minorversion=75`, {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ DisplayName: name }),
      });
    const first = make();
    const original = (await (await create(first, 'r1', 'Acme')).json()) as { Customer: { Id: string } };

    const second = make();
    second.restore(throughJson(first));
    expect(second.snapshot()).toEqual(first.snapshot());
    const replay = (await (await create(second, 'r1', 'Acme')).json()) as { Customer: { Id: string } };
    expect(replay.Customer.Id).toBe(original.Customer.Id);
    const next = (await (await create(second, 'r2', 'Globex')).json()) as { Customer: { Id: string } };
    expect(next.Customer.Id).not.toBe(original.Customer.Id);
    expect(second.state.count('123', 'Customer')).toBe(2);
  });

  it('Avalara keeps its transactions (amounts as decimals) and adjusts them in place', async () => {
    const make = () => createAvalaraSimulator({ now });
    const post = (sim: ReturnType<typeof make>, amount: number) =>
      sim.app.request('/api/v2/transactions/createoradjust', {
        method: 'POST',
        headers: {
          Authorization: `Basic ${btoa(`${SIMULATOR_CREDENTIALS.accountId}:${SIMULATOR_CREDENTIALS.licenseKey}`)}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          createTransactionModel: {
            type: 'SalesInvoice',
            code: 'DOC-1',
            companyCode: 'ACMECO',
            date: '2026-11-02',
            customerCode: 'C',
            commit: false,
            addresses: {
              singleLocation: { line1: '1 Main', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' },
            },
            lines: [{ number: '1', amount }],
          },
        }),
      });
    const first = make();
    const created = (await (await post(first, 100)).json()) as { id: number };

    const second = make();
    second.restore(throughJson(first));
    expect(second.snapshot()).toEqual(first.snapshot());
    const adjusted = (await (await post(second, 120)).json()) as { id: number; totalAmount: number };
    expect(adjusted.id).toBe(created.id);
    expect(adjusted.totalAmount).toBe(120);
    expect(second.state.count('ACMECO')).toBe(1);
  });

  it('Salesforce keeps its records, sessions and sequence numbers', () => {
    const make = () => createSalesforceSimulator({ now, organizationId: '00D8c0000000042EAA' });
    const first = make();
    const deal = first.seedClosedWonOpportunity();
    const ids = (xml: string) => [...xml.matchAll(/<Id>(04l\w+)<\/Id>/g)].map((m) => m[1]);
    const sent = ids(first.outboundMessageFor(deal.opportunityId));

    const second = make();
    second.restore(throughJson(first));
    expect(second.snapshot()).toEqual(first.snapshot());
    expect(second.state.store.get('Opportunity', deal.opportunityId)?.Amount).toBe(2000);
    const again = second.seedClosedWonOpportunity();
    expect(again.opportunityId).not.toBe(deal.opportunityId);
    // The next Outbound Message carries a new notification id (the hub's inbox would drop a repeat).
    const next = ids(second.outboundMessageFor(again.opportunityId));
    expect(next).toHaveLength(1);
    expect(next).not.toEqual(sent);
  });

  it('HubSpot keeps its objects and associations', () => {
    const first = createHubSpotSimulator({ now });
    const deal = first.seedClosedWonDeal();
    const second = createHubSpotSimulator({ now });
    second.restore(throughJson(first));
    expect(second.snapshot()).toEqual(first.snapshot());
    expect(second.seedClosedWonDeal().dealId).not.toBe(deal.dealId);
  });
});
