/**
 * The simulators' own control port: what a person or the hub's sandbox start does to the
 * simulated vendors that a vendor would do through its UI (close a deal, edit it, send the
 * Outbound Message a workflow rule sends), and what a test reads back (object counts). Served
 * beside the simulators, in `npm start`'s process or in `npm run simulators`'s, loopback only.
 *
 *   GET  /health
 *   GET  /connections                              the connection settings pointing at the simulators
 *   PUT  /stripe/webhook-endpoint    {"url"}       where Stripe events go (the hub's /webhooks/stripe/{id})
 *   PUT  /salesforce/outbound-endpoint {"url"}     where Outbound Messages go (the hub's URL with its token)
 *   POST /salesforce/demo-deal                     a closed-won opportunity, its Outbound Message sent
 *   POST /salesforce/opportunities/{id}/amend {"product_code"?, "quantity"?}
 *                                                  a line's quantity changed (default SEAT, +5), message sent
 *   GET  /counts                                   objects held per vendor (duplicates show here)
 *
 * Every change is written to the state folder before the answer (startSimulators' save).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { sameId } from '../../adapters/salesforce/ids.js';
import type { Simulators } from './simulators.js';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO, SANDBOX_XERO } from './simulators.js';

const urlBody = z.object({ url: z.url() });
const amendBody = z.object({
  product_code: z.string().min(1).optional(),
  quantity: z.number().int().positive().max(1_000_000).optional(),
});

/** What the simulated vendors hold, by kind of object. */
export function simulatorCounts(sims: Simulators) {
  // The org's ERP may be another than QuickBooks (HUB_SANDBOX_ERP): then QuickBooks holds nothing.
  const realmId = sims.connections.find((c) => c.vendor === 'quickbooks')?.config.realmId ?? SANDBOX_QBO.realmId;
  const qbo = (entity: 'Customer' | 'Item' | 'Invoice' | 'Payment' | 'CreditMemo') =>
    sims.quickbooks.state.count(realmId, entity);
  return {
    avalara_transactions: sims.avalara.state.count(SANDBOX_AVALARA_COMPANY),
    anrok_transactions: sims.anrok.state.count(),
    stripe_customers: sims.stripe.state.customers.size,
    stripe_payment_intents: sims.stripe.state.paymentIntents.size,
    stripe_refunds: sims.stripe.state.refunds.size,
    quickbooks_customers: qbo('Customer'),
    quickbooks_items: qbo('Item'),
    quickbooks_invoices: qbo('Invoice'),
    quickbooks_payments: qbo('Payment'),
    quickbooks_credit_memos: qbo('CreditMemo'),
    // Empty unless the org's ERP is Xero (HUB_SANDBOX_ERP=xero).
    xero_contacts: sims.xero.count(SANDBOX_XERO.tenantId, 'Contacts'),
    xero_invoices: sims.xero.count(SANDBOX_XERO.tenantId, 'Invoices'),
    xero_payments: sims.xero.count(SANDBOX_XERO.tenantId, 'Payments'),
    xero_credit_notes: sims.xero.count(SANDBOX_XERO.tenantId, 'CreditNotes'),
    salesforce_updates: sims.salesforce.state.updates.length,
  };
}

export type SimulatorCounts = ReturnType<typeof simulatorCounts>;

class NoOutboundEndpoint extends Error {
  constructor() {
    super('no Outbound Message endpoint set (PUT /salesforce/outbound-endpoint)');
  }
}

export function simulatorsControl(sims: Simulators, fetchImpl: typeof fetch = fetch): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    if (c.req.method !== 'GET') sims.save();
  });
  app.onError((error, c) => c.json({ error: error.message }, error instanceof NoOutboundEndpoint ? 409 : 500));

  /** POSTs the opportunity's Outbound Message where the org's workflow rule sends it. */
  const sendOutboundMessage = async (opportunityId: string): Promise<number> => {
    const url = sims.settings.salesforceOutboundUrl;
    if (!url) throw new NoOutboundEndpoint();
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' },
      body: sims.salesforce.outboundMessageFor(opportunityId),
    });
    await res.arrayBuffer();
    return res.status;
  };

  app.get('/health', (c) => c.json({ ok: true }));
  app.get('/connections', (c) => c.json({ connections: sims.connections }));
  app.get('/counts', (c) => c.json(simulatorCounts(sims)));

  app.put('/:vendor{stripe|adyen|razorpay}/webhook-endpoint', async (c) => {
    const body = urlBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: 'body must be {"url": "<absolute URL>"}' }, 400);
    const sim = sims[c.req.param('vendor') as 'stripe' | 'adyen' | 'razorpay'];
    sim.setWebhookUrl(body.data.url);
    // Events that waited for an endpoint (or for the hub to come back) go out now.
    void sim.flushWebhooks().then(() => sims.save());
    return c.json({ url: body.data.url });
  });

  app.put('/salesforce/outbound-endpoint', async (c) => {
    const body = urlBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: 'body must be {"url": "<absolute URL>"}' }, 400);
    sims.settings.salesforceOutboundUrl = body.data.url;
    return c.json({ ok: true });
  });

  app.post('/salesforce/demo-deal', async (c) => {
    const seeded = sims.salesforce.seedClosedWonOpportunity();
    // Saved before the message goes out: the hub reads the deal back from the simulator.
    sims.save();
    const status = await sendOutboundMessage(seeded.opportunityId);
    return c.json({ opportunity_id: seeded.opportunityId, outbound_message_status: status }, 201);
  });

  app.post('/salesforce/opportunities/:id/amend', async (c) => {
    const body = amendBody.safeParse((await c.req.text()) === '' ? {} : await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: 'body must be {"product_code"?: string, "quantity"?: integer}' }, 400);
    const { store } = sims.salesforce.state;
    const opportunity = store.get('Opportunity', c.req.param('id'));
    if (!opportunity) return c.json({ error: `no opportunity ${c.req.param('id')}` }, 404);
    const code = body.data.product_code ?? 'SEAT';
    const line = store
      .all('OpportunityLineItem')
      .find((l) => sameId(String(l.OpportunityId), String(opportunity.Id)) && l.ProductCode === code);
    if (!line) return c.json({ error: `the opportunity has no ${code} line` }, 404);
    const quantity = body.data.quantity ?? Number(line.Quantity) + 5;
    store.update('OpportunityLineItem', String(line.Id), { Quantity: quantity });
    sims.save();
    const status = await sendOutboundMessage(String(opportunity.Id));
    return c.json({ opportunity_id: opportunity.Id, product_code: code, quantity, outbound_message_status: status });
  });

  return app;
}
