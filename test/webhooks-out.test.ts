/**
 * Outgoing webhooks (issue #14): an org registers an endpoint; a deal carried to cash announces
 * contract.created, invoice.finalized and payment.succeeded once each, signed per Standard Webhooks
 * (checked with the spec's HMAC computed here and with the reference library's verify); a refusing
 * endpoint is retried as a job until it gives up, shows in the delivery log, and a resend delivers
 * it with the same webhook-id; a dead-lettered sync job is announced too.
 */
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RunningServer, serveOnLoopback } from '../adapters/sandbox/serve.js';
import { webhookUrlProblem } from '../src/http/routes/webhook-url.js';
import { type Harness, ONE_OF_EACH, readJson, startHarness, vendorCounts } from './support/harness.js';

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A receiver on loopback that records every request and answers `status`. */
async function startReceiver(): Promise<RunningServer & { received: Received[]; status: number }> {
  const state = { received: [] as Received[], status: 200 };
  const server = await serveOnLoopback({
    fetch: async (req: Request) => {
      state.received.push({ headers: Object.fromEntries(req.headers), body: await req.text() });
      return new Response(state.status === 200 ? 'ok' : 'receiver is down', { status: state.status });
    },
  });
  return Object.assign(state, server);
}

let h: Harness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
afterEach(async () => {
  await receiver?.close();
  await h?.close();
});

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The Standard Webhooks signature, computed from the spec: HMAC-SHA256 of id.timestamp.body, base64. */
function specSignature(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

async function register(eventTypes: string[]) {
  const res = await h.api(
    '/api/v1/webhook-endpoints',
    json('POST', { url: `${receiver.url}/hooks`, description: 'books', event_types: eventTypes }),
  );
  expect(res.status).toBe(201);
  return readJson(res);
}

async function closeDeal() {
  const seeded = h.sims.salesforce.seedClosedWonOpportunity();
  expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(200);
  await h.settle();
  return seeded.opportunityId;
}

describe('webhooks out', () => {
  it('announces a deal’s contract, invoice and payment once each, signed per Standard Webhooks', async () => {
    h = await startHarness();
    receiver = await startReceiver();
    const endpoint = await register(['contract.created', 'invoice.finalized', 'payment.succeeded']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(JSON.stringify(await readJson(await h.api(`/api/v1/webhook-endpoints/${endpoint.id}`)))).not.toContain(
      endpoint.secret,
    );

    const opportunityId = await closeDeal();
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    const types = receiver.received.map((r) => JSON.parse(r.body).type);
    expect(types.sort()).toEqual(['contract.created', 'invoice.finalized', 'payment.succeeded']);

    for (const r of receiver.received) {
      const id = r.headers['webhook-id']!;
      const timestamp = r.headers['webhook-timestamp']!;
      expect(id).toMatch(/^msg_/);
      expect(r.headers['content-type']).toBe('application/json');
      expect(Number(timestamp)).toBe(Math.floor(h.clock.now().getTime() / 1000));
      expect(r.headers['webhook-signature']).toBe(specSignature(endpoint.secret, id, timestamp, r.body));
      // The reference library verifies it too (its tolerance reads the wall clock: set it to the hub's).
      vi.useFakeTimers({ toFake: ['Date'], now: h.clock.now() });
      try {
        expect(new Webhook(endpoint.secret).verify(r.body, r.headers)).toEqual(JSON.parse(r.body));
      } finally {
        vi.useRealTimers();
      }
      expect(() => new Webhook(endpoint.secret).verify(`${r.body} `, r.headers)).toThrow();
    }
    const invoice = receiver.received.map((r) => JSON.parse(r.body)).find((b) => b.type === 'invoice.finalized');
    expect(invoice.timestamp).toEqual(expect.any(String));
    expect(invoice.data).toMatchObject({
      currency: 'USD',
      number: expect.any(String),
      total_minor: expect.any(Number),
    });
    const listed = await readJson(await h.api('/api/v1/invoices'));
    expect(invoice.data.invoice_id).toBe(listed.data[0].id);
    expect(invoice.data.total_minor).toBe(listed.data[0].total_minor);

    const log = await readJson(await h.api(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`));
    expect(log.data).toHaveLength(3);
    expect(
      log.data.every((d: { state: string; attempts: number }) => d.state === 'delivered' && d.attempts === 1),
    ).toBe(true);

    // A second Outbound Message for the same deal, and a manual pull, announce nothing new.
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.api(`/api/v1/sync/salesforce/opportunities/${opportunityId}`, { method: 'POST' });
    await h.settle();
    expect(receiver.received).toHaveLength(3);
  });

  it('retries a refusing endpoint as a job, logs each attempt, and a resend delivers it with the same id', async () => {
    h = await startHarness();
    receiver = await startReceiver();
    const endpoint = await register(['contract.created']);
    receiver.status = 503;
    await closeDeal();
    for (let i = 0; i < 12; i++) {
      h.clock.advance(60 * 60_000);
      await h.settle();
    }
    const [failed] = (await readJson(await h.api(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`))).data;
    expect(failed).toMatchObject({ state: 'failed', attempts: 8, last_status: 503, delivered_at: null });
    expect(failed.last_error).toContain('HTTP 503: receiver is down');
    expect(receiver.received).toHaveLength(8);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([failed.id]));
    // The deal went to cash all the same: a receiver's outage holds back nothing of the hub's.
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);

    receiver.status = 200;
    const resent = await h.api(`/api/v1/webhook-deliveries/${failed.id}/resend`, { method: 'POST' });
    expect(resent.status).toBe(202);
    expect((await readJson(resent)).state).toBe('pending');
    expect((await h.api(`/api/v1/webhook-deliveries/${failed.id}/resend`, { method: 'POST' })).status).toBe(409);
    await h.settle();
    const after = await readJson(await h.api(`/api/v1/webhook-deliveries/${failed.id}`));
    expect(after).toMatchObject({ state: 'delivered', attempts: 9, last_status: 200, last_error: null });
    expect(receiver.received.at(-1)!.headers['webhook-id']).toBe(failed.id);
    const audit = await readJson(await h.api(`/api/v1/audit-log?subject=${failed.id}`));
    expect(audit.data.map((a: { action: string }) => a.action)).toEqual(['webhook.delivery_resent']);

    // Disabled, it is sent nothing, and a resend says why.
    const disabled = await h.api(`/api/v1/webhook-endpoints/${endpoint.id}`, json('PATCH', { enabled: false }));
    expect((await readJson(disabled)).enabled).toBe(false);
    expect((await h.api(`/api/v1/webhook-deliveries/${failed.id}/resend`, { method: 'POST' })).status).toBe(409);
  });

  it('announces a sync job that lands in the dead letters', async () => {
    h = await startHarness();
    receiver = await startReceiver();
    await register(['sync.dead_lettered']);
    h.sims.quickbooks.faults.always('/v3/company/', { kind: 'status', status: 500 }, 'POST');
    await closeDeal();
    for (let i = 0; i < 12; i++) {
      h.clock.advance(60 * 60_000);
      await h.settle();
    }
    const dead = (await readJson(await h.api('/api/v1/jobs?state=dead'))).jobs as { id: string }[];
    expect(dead.length).toBeGreaterThan(0);
    const announced = receiver.received.map((r) => JSON.parse(r.body));
    expect(announced.map((b) => b.data.job_id).sort()).toEqual(dead.map((d) => d.id).sort());
    expect(announced[0]).toMatchObject({
      type: 'sync.dead_lettered',
      data: { connection: 'quickbooks', attempts: 8, last_error: expect.stringContaining('gave up after 8 attempts') },
    });
  });

  it('refuses a bad endpoint by field and changes nothing', async () => {
    h = await startHarness();
    receiver = await startReceiver();
    for (const [body, field] of [
      [{ url: 'ftp://example.com', event_types: ['contract.created'] }, 'url'],
      [{ url: 'https://u:p@example.com', event_types: ['contract.created'] }, 'url'],
      [{ url: 'https://example.com', event_types: [] }, 'event_types'],
      [{ url: 'https://example.com', event_types: ['invoice.paid'] }, 'event_types.0'],
      [{ url: 'https://example.com', event_types: ['contract.created'], secret: 'mine' }, 'secret'],
    ] as const) {
      const res = await h.api('/api/v1/webhook-endpoints', json('POST', body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await readJson(res)).errors[0].field).toBe(field);
    }
    expect((await readJson(await h.api('/api/v1/webhook-endpoints'))).data).toEqual([]);
    expect((await h.api('/api/v1/webhook-endpoints/whe_nope/deliveries')).status).toBe(404);
  });

  it('live mode takes https to public hosts only', () => {
    expect(webhookUrlProblem('https://hooks.example.com/x', 'live')).toBeUndefined();
    for (const url of [
      'http://hooks.example.com/x',
      'https://localhost/x',
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://192.168.0.1/x',
      'https://169.254.169.254/latest',
      'https://[::1]/x',
    ]) {
      expect(webhookUrlProblem(url, 'live'), url).toBeDefined();
    }
    expect(webhookUrlProblem('http://127.0.0.1:9000/x', 'sandbox')).toBeUndefined();
  });
});
