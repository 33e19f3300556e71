/**
 * The fuzz sweep: generated malformed requests against every route the app serves — each
 * operation of the OpenAPI document (its parameters and body schema shape the input) and every
 * other route (webhooks, OAuth, embeds) — asserting the hub never answers 5xx, every refusal is a
 * problem+json body, and no table's row count moves unless the request succeeded.
 *
 * Seeded (FUZZ_SEED, default fixed) so a failure is reproducible; FUZZ_RUNS runs per route
 * (default 60, a few thousand requests in all). `npm run fuzz -- --runs 100000` is the long run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT_SECRET as HUBSPOT_CLIENT_SECRET } from '../../adapters/hubspot/simulator/index.js';
import { signV3 } from '../../adapters/hubspot/webhooks.js';
import { signStripePayload } from '../../adapters/stripe/simulator/webhooks.js';
import { SANDBOX_STRIPE } from '../../src/runtime/simulators.js';
import { type Harness, startHarness } from '../support/harness.js';
import { changedTables, rowCounts } from './db-rows.js';
import { type MalformedRequest, malformedRequest } from './malformed.js';
import { type RouteCatalogue, routeCatalogue, type SweptRoute } from './routes.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);

/**
 * Webhook routes only reach their parsers with a valid credential, so the sweep signs what it
 * sends the way the vendor would (a bad signature is covered by the unsigned requests).
 */
const SIGNERS: Record<string, (req: MalformedRequest, now: Date) => Promise<Record<string, string>>> = {
  'POST /webhooks/stripe/{connectionId}': async (req, now) => ({
    'stripe-signature': await signStripePayload(
      SANDBOX_STRIPE.webhookSecret,
      String(req.init.body ?? ''),
      Math.floor(now.getTime() / 1000),
    ),
  }),
  'POST /webhooks/hubspot/{connectionId}': async (req, now) => {
    const timestamp = String(now.getTime());
    return {
      'x-hubspot-request-timestamp': timestamp,
      'x-hubspot-signature-v3': await signV3({
        method: 'POST',
        url: `http://localhost${req.path}`,
        body: String(req.init.body ?? ''),
        timestamp,
        clientSecret: HUBSPOT_CLIENT_SECRET,
      }),
    };
  },
};

/** Bodies shaped like the vendor's for routes outside the OpenAPI document. */
function vendorBody(route: SweptRoute): fc.Arbitrary<string> | undefined {
  const nasty = fc.oneof(
    fc.constantFrom(1e308, -1, 0, 2 ** 53 + 2, '1e+308', null, 'x', 1.5, '2026-03-01T00:00:00+99:00'),
    fc.integer(),
  );
  if (route.name === 'POST /webhooks/stripe/{connectionId}') {
    return fc
      .record({
        id: fc.oneof(fc.constant('evt_1'), fc.string()),
        object: fc.constant('event'),
        type: fc.constantFrom('payment_intent.succeeded', 'payment_intent.payment_failed', 'charge.refunded', ''),
        created: fc.oneof(fc.constant(1772442000), nasty),
        data: fc.record({
          object: fc.record(
            {
              id: fc.oneof(fc.constant('pi_1'), nasty),
              object: fc.constantFrom('payment_intent', 'charge'),
              amount: fc.oneof(fc.constant(1000), nasty),
              amount_received: fc.oneof(fc.constant(1000), nasty),
              currency: fc.oneof(fc.constantFrom('usd', 'jpy', 'xxx', ''), nasty),
              metadata: fc.oneof(
                fc.constant({ hub_invoice_id: 'inv_missing' }),
                fc.dictionary(fc.string(), fc.string()),
              ),
            },
            { requiredKeys: [] },
          ),
        }),
      })
      .map((event) => JSON.stringify(event));
  }
  if (route.template.startsWith('/webhooks/salesforce')) {
    const notification = fc
      .record({
        id: fc.oneof(fc.constant('04l000000000001'), fc.string()),
        oppId: fc.oneof(fc.constant('006000000000001AAA'), fc.string()),
        stage: fc.constantFrom('Closed Won', '', '<x/>'),
        closeDate: fc.constantFrom('2026-03-01', '9999-12-31', 'x', ''),
      })
      .map(
        (n) =>
          `<notification><Id>${n.id}</Id><sObject xsi:type="sf:Opportunity"><sf:Id>${n.oppId}</sf:Id><sf:StageName>${n.stage}</sf:StageName><sf:CloseDate>${n.closeDate}</sf:CloseDate></sObject></notification>`,
      );
    return fc
      .tuple(fc.array(notification, { maxLength: 3 }), fc.constantFrom('00D000000000001AAA', '', 'x'))
      .map(
        ([ns, orgId]) =>
          `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${orgId}</OrganizationId>${ns.join('')}</notifications></soapenv:Body></soapenv:Envelope>`,
      );
  }
  return undefined;
}

let h: Harness;
let cat: RouteCatalogue;
let goodPathValues: Record<string, string[]>;
const serverErrors: string[] = [];
/** Requests whose JSON body carried an unknown top-level field (the sweep must generate some). */
let strayChecked = 0;
const originalConsoleError = console.error;

beforeAll(async () => {
  h = await startHarness();
  cat = await routeCatalogue(h.hub.app);
  const [, , , connectionId, token] = h.salesforceOutboundPath.split('/');
  goodPathValues = {
    connectionId: [connectionId!, h.stripeConnectionId],
    token: [token!],
    vendor: ['salesforce', 'hubspot', 'stripe', 'quickbooks', 'avalara'],
    id: ['default', '006000000000001AAA', '123'],
    opportunityId: ['006000000000001AAA'],
  };
  // The app logs every unexpected exception before answering 500; collect them for the verdict.
  console.error = (...args: unknown[]) => {
    if (String(args[0]).includes('unhandled error')) {
      serverErrors.push(
        args
          .map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a)))
          .join(' ')
          .slice(0, 600),
      );
    }
  };
});
afterAll(async () => {
  console.error = originalConsoleError;
  await h?.close();
});

async function send(route: SweptRoute, req: MalformedRequest): Promise<void> {
  const signer = SIGNERS[route.name];
  const headers = { ...req.init.headers, ...(signer ? await signer(req, h.clock.now()) : {}) };
  const before = await rowCounts(h.db);
  const logged = serverErrors.length;
  const res = await h.hub.app.request(req.path, { ...req.init, headers });
  const text = await res.text();
  const context = `${route.name}\n  sent: ${req.describe}\n  got: ${res.status} ${text.slice(0, 300)}\n  logged: ${serverErrors.slice(logged).join(' | ')}`;
  expect(res.status, context).toBeLessThan(500);
  if (res.status >= 400 && route.template.startsWith('/api/')) {
    expect(res.headers.get('content-type'), context).toContain('application/problem+json');
    expect(JSON.parse(text).status, context).toBe(res.status);
  }
  if (res.status >= 300) expect(changedTables(before, await rowCounts(h.db)), context).toEqual([]);
  // A JSON body with a field its schema does not know is refused by name, whatever else it holds.
  const stray = unknownRootField(route, req);
  if (stray !== undefined) {
    strayChecked += 1;
    expect(res.status, context).toBe(400);
    const fields: string[] = (JSON.parse(text).errors ?? []).map((e: { field: string }) => e.field);
    // Path and query parameters are checked first, each as its own answer; the body after them.
    const paramFailed = fields.some((f) => route.params.some((p) => p.name === f.split('.')[0]));
    if (!paramFailed) expect(fields, context).toContain(stray);
  }
}

/** The first top-level key of a JSON object body that the route's body schema does not declare. */
function unknownRootField(route: SweptRoute, req: MalformedRequest): string | undefined {
  if (!route.body || !/^application\/json\b/.test(req.init.headers['content-type'] ?? '')) return undefined;
  const schema = cat.resolve(route.body);
  if (schema?.additionalProperties !== false || typeof req.init.body !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.init.body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  return Object.keys(parsed).find((key) => !Object.hasOwn(schema.properties ?? {}, key));
}

describe('fuzz sweep: no 5xx and nothing written on malformed input', () => {
  it('covers every route the app serves', () => {
    const names = cat.routes.map((r) => r.name);
    expect(names).toContain('POST /api/v1/events/batch');
    expect(names).toContain('POST /webhooks/stripe/{connectionId}');
    expect(cat.routes.filter((r) => r.documented).length).toBeGreaterThan(20);
  });

  it('answers every generated malformed request with a 4xx problem or a success', { timeout: 180_000 }, async () => {
    let sent = 0;
    const failures: string[] = [];
    for (const route of cat.routes) {
      const arb = malformedRequest(cat, route, `Bearer ${h.apiKey}`, goodPathValues);
      const shaped = vendorBody(route);
      const requests = shaped
        ? fc.oneof(
            arb,
            fc.tuple(arb, shaped).map(([r, body]) => ({ ...r, init: { ...r.init, body } })),
          )
        : arb;
      try {
        await fc.assert(
          fc.asyncProperty(requests, async (req) => {
            // The per-connection webhook budget is per minute; keep most requests under it.
            if (++sent % 200 === 0) h.clock.advance(61_000);
            await send(route, req);
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
      } catch (error) {
        // Every failing route is reported at once, each with its seed and shrunk request.
        const cause = (error as Error).cause as Error | undefined;
        failures.push(`${String((error as Error).message).split('\n')[1]} ${cause?.message?.slice(0, 1500) ?? ''}`);
      }
    }
    expect(failures.join('\n\n')).toBe('');
    expect(serverErrors).toEqual([]);
    expect(strayChecked).toBeGreaterThan(20);
  });
});
