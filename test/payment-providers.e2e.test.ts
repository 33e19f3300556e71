/**
 * Adyen and Razorpay end to end on Node, each against its simulator: a won deal is collected and
 * paid; the provider's webhooks delivered twice and in reverse order change nothing more; a
 * forged delivery is refused with 401 and stores nothing; a crash after the provider accepted the
 * payment and before our commit charges nobody twice. Verdicts come from the simulated provider
 * and the database.
 */
import { count, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { invoices, jobs, payments, webhookInbox } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const rows = async (table: typeof jobs | typeof webhookInbox | typeof payments) =>
  (await h!.db.select({ n: count() }).from(table))[0]!.n;

type Delivery = { rawBody: string; headers: Headers };

/** What each provider's simulator holds and sends, read through its public state. */
const PROVIDERS = {
  adyen: {
    charges: (x: Harness) => x.sims.adyen.state.payments.size,
    async deliveries(x: Harness): Promise<Delivery[]> {
      return Promise.all(
        x.sims.adyen.state.notifications.map(async (n) => ({
          rawBody: await x.sims.adyen.webhookBody(n),
          headers: new Headers({ 'content-type': 'application/json' }),
        })),
      );
    },
    forge: (d: Delivery): Delivery => ({ ...d, rawBody: d.rawBody.replace(/"value":(\d+)/, '"value":1') }),
    accepted: async (res: Response) => expect(await res.text()).toBe('[accepted]'),
  },
  razorpay: {
    charges: (x: Harness) => x.sims.razorpay.state.payments.size,
    async deliveries(x: Harness): Promise<Delivery[]> {
      return Promise.all(
        x.sims.razorpay.state.events.map(async (e) => {
          const d = await x.sims.razorpay.delivery(e);
          return {
            rawBody: d.rawBody,
            headers: new Headers({
              'content-type': 'application/json',
              'x-razorpay-signature': d.signature,
              'x-razorpay-event-id': d.eventId,
            }),
          };
        }),
      );
    },
    forge: (d: Delivery): Delivery => ({ ...d, rawBody: d.rawBody.replace(/"amount":(\d+)/, '"amount":1') }),
    accepted: async (res: Response) => expect((await readJson(res)).received).toBe(true),
  },
} as const;

async function closeDeal(x: Harness) {
  const seeded = x.sims.salesforce.seedClosedWonOpportunity();
  expect((await x.deliverOutboundMessage(x.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(200);
  return seeded.opportunityId;
}

const post = (x: Harness, provider: string, d: Delivery) =>
  x.hub.app.request(`/webhooks/${provider}/${x.stripeConnectionId}`, {
    method: 'POST',
    headers: d.headers,
    body: d.rawBody,
  });

describe.each(Object.keys(PROVIDERS) as (keyof typeof PROVIDERS)[])('%s end to end', (provider) => {
  const p = PROVIDERS[provider];

  it('collects a won deal: one charge at the provider, the invoice paid; webhooks twice and reversed change nothing', async () => {
    h = await startHarness({ paymentProvider: provider });
    await closeDeal(h);
    await h.settle();
    const [invoice] = await h.db.select().from(invoices);
    expect(invoice!.status).toBe('paid');
    expect(invoice!.amountPaidMinor).toBe(invoice!.totalMinor);
    expect(p.charges(h)).toBe(1);
    expect(await rows(payments)).toBe(1);

    const deliveries = await p.deliveries(h);
    expect(deliveries.length).toBeGreaterThan(0);
    const inboxBefore = await rows(webhookInbox);
    for (const d of [...deliveries].reverse().concat(deliveries)) {
      const res = await post(h, provider, d);
      expect(res.status).toBe(200);
      await p.accepted(res);
    }
    await h.settle();
    expect(await rows(webhookInbox)).toBe(inboxBefore);
    expect(await rows(payments)).toBe(1);
    const [after] = await h.db.select().from(invoices).where(eq(invoices.id, invoice!.id));
    expect(after!.status).toBe('paid');
    expect(after!.amountPaidMinor).toBe(invoice!.totalMinor);
    expect(p.charges(h)).toBe(1);
  });

  it('refuses a forged or unsigned delivery with 401 and stores nothing', async () => {
    h = await startHarness({ paymentProvider: provider });
    await closeDeal(h);
    await h.settle();
    const [genuine] = await p.deliveries(h);
    const inboxBefore = await rows(webhookInbox);
    const jobsBefore = await rows(jobs);
    const unsigned: Delivery =
      provider === 'adyen'
        ? { ...genuine!, rawBody: genuine!.rawBody.replace(/"hmacSignature":"[^"]*"/, '"hmacSignature":""') }
        : { rawBody: genuine!.rawBody, headers: new Headers({ 'content-type': 'application/json' }) };
    for (const d of [p.forge(genuine!), unsigned]) {
      const res = await post(h, provider, d);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await rows(webhookInbox)).toBe(inboxBefore);
    expect(await rows(jobs)).toBe(jobsBefore);
  });

  it('a crash after the provider accepted the payment and before our commit: after restart, still one charge', async () => {
    let crashed = false;
    h = await startHarness({
      paymentProvider: provider,
      hooks: {
        afterExternalWrite: (flow, step) => {
          if (!crashed && flow === 'collect-payment' && step === 'payment') {
            crashed = true;
            throw new SimulatedCrash('after collect-payment › payment');
          }
        },
      },
    });
    await closeDeal(h);
    await expect(h.settle()).rejects.toThrow(/simulated crash/);
    expect(p.charges(h)).toBe(1);
    await h.restart();
    h.clock.advance(6 * 60_000);
    await h.settle();
    expect(p.charges(h)).toBe(1);
    const [invoice] = await h.db.select().from(invoices);
    expect(invoice!.status).toBe('paid');
    expect(await rows(payments)).toBe(1);
  });
});
