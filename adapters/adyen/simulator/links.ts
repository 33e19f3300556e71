/**
 * Pay by Link: POST/GET/PATCH /paymentLinks (https://docs.adyen.com/unified-commerce/pay-by-link/create-payment-links/api).
 * A link with `storePaymentMethodMode: enabled` and a shopperReference stores the card it is
 * paid with, so later invoices are charged with ContAuth. The shopper's side is simulated by
 * `POST /sandbox/paymentLinks/:id/pay` (not an Adyen path: it stands for the hosted page).
 */
import type { Hono } from 'hono';
import { serviceError } from './errors.js';
import { authorise, metadataOf } from './payments.js';
import { type AdyenSim, amountOf, answer, authorised, fail, idempotentWrite, isError, validEmail } from './requests.js';
import type { SimLink } from './state.js';

const DAY_MS = 86_400_000;

function linkBody(link: SimLink) {
  return {
    id: link.id,
    url: link.url,
    reference: link.reference,
    merchantAccount: link.merchantAccount,
    amount: link.amount,
    status: link.status,
    expiresAt: link.expiresAt,
    ...(link.shopperReference ? { shopperReference: link.shopperReference } : {}),
    metadata: link.metadata,
  };
}

export function linkRoutes(app: Hono, sim: AdyenSim): void {
  app.post('/paymentLinks', (c) =>
    idempotentWrite(c, sim, (body) => {
      const amount = amountOf(body.amount);
      if (isError(amount)) return fail(amount);
      if (typeof body.reference !== 'string' || body.reference === '') {
        return fail(serviceError(422, '000', 'Field reference is missing', 'validation'));
      }
      if (!validEmail(body.shopperEmail)) {
        return fail(serviceError(422, '000', 'Field shopperEmail is not a valid email address', 'validation'));
      }
      const id = `PL${sim.nextPsp()}`;
      const link: SimLink = {
        id,
        url: `${sim.options.publicUrl}/sandbox/paymentLinks/${id}`,
        reference: body.reference,
        merchantAccount: sim.options.merchantAccount,
        amount,
        status: 'active',
        ...(typeof body.shopperReference === 'string' ? { shopperReference: body.shopperReference } : {}),
        ...(typeof body.shopperEmail === 'string' ? { shopperEmail: body.shopperEmail } : {}),
        ...(typeof body.storePaymentMethodMode === 'string'
          ? { storePaymentMethodMode: body.storePaymentMethodMode }
          : {}),
        metadata: metadataOf(body.metadata),
        // Adyen's default expiry is 24 hours after creation.
        expiresAt: new Date(sim.now().getTime() + DAY_MS).toISOString(),
      };
      sim.state.links.set(id, link);
      return { status: 201, body: linkBody(link) };
    }),
  );

  app.get('/paymentLinks/:id', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const link = sim.state.links.get(c.req.param('id'));
    if (!link) return answer(c, fail(serviceError(404, '000', 'Payment link not found', 'Not Found')));
    return c.json(linkBody(link));
  });

  app.patch('/paymentLinks/:id', async (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const link = sim.state.links.get(c.req.param('id'));
    if (!link) return answer(c, fail(serviceError(404, '000', 'Payment link not found', 'Not Found')));
    const body = (await c.req.json().catch(() => ({}))) as { status?: string };
    if (body.status !== 'expired') {
      return answer(c, fail(serviceError(422, '000', 'Only status expired can be set', 'validation')));
    }
    // A completed link stays completed: the shopper already paid.
    if (link.status === 'active') link.status = 'expired';
    return c.json(linkBody(link));
  });
}

/** The shopper pays on the hosted page (sandbox stand-in, outside the API's versioned paths). */
export function hostedPageRoutes(app: Hono, sim: AdyenSim): void {
  app.post('/sandbox/paymentLinks/:id/pay', (c) => {
    const link = sim.state.links.get(c.req.param('id'));
    if (!link) return c.json({ error: 'unknown link' }, 404);
    if (link.status !== 'active') return c.json({ error: `link is ${link.status}` }, 409);
    link.status = 'completed';
    if (link.shopperReference && link.storePaymentMethodMode === 'enabled') {
      const list = sim.state.storedMethods.get(link.shopperReference) ?? [];
      list.push({
        id: `M${sim.nextPsp()}`,
        shopperReference: link.shopperReference,
        brand: 'visa',
        lastFour: '1142',
        holderName: 'Sandbox Shopper',
        supportedRecurringProcessingModels: ['UnscheduledCardOnFile'],
      });
      sim.state.storedMethods.set(link.shopperReference, list);
    }
    const payment = authorise(
      sim,
      {
        merchantReference: link.reference,
        merchantAccount: link.merchantAccount,
        amount: link.amount,
        ...(link.shopperReference ? { shopperReference: link.shopperReference } : {}),
        metadata: link.metadata,
        paymentLinkId: link.id,
      },
      false,
    );
    // Links capture automatically on the default merchant account setting.
    payment.status = 'captured';
    payment.capturedValue = payment.amount.value;
    return c.json({ pspReference: payment.pspReference, status: link.status });
  });
}
