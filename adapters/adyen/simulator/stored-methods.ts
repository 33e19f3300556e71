/**
 * /storedPaymentMethods: tokens per shopperReference
 * (https://docs.adyen.com/api-explorer/Checkout/71/post/storedPaymentMethods). A card stored
 * here can be charged later with `shopperInteraction: ContAuth`.
 */
import type { Hono } from 'hono';
import { serviceError } from './errors.js';
import { type AdyenSim, answer, authorised, fail, idempotentWrite, validEmail } from './requests.js';
import type { SimStoredMethod } from './state.js';

export function storedMethodRoutes(app: Hono, sim: AdyenSim): void {
  app.post('/storedPaymentMethods', (c) =>
    idempotentWrite(c, sim, (body) => {
      const shopperReference = body.shopperReference;
      const method = body.paymentMethod as { type?: string; number?: string; holderName?: string } | undefined;
      if (typeof shopperReference !== 'string' || shopperReference.length < 3) {
        return fail(
          serviceError(422, '000', 'Field shopperReference is missing or shorter than 3 characters', 'validation'),
        );
      }
      if (!validEmail(body.shopperEmail)) {
        return fail(serviceError(422, '000', 'Field shopperEmail is not a valid email address', 'validation'));
      }
      if (method?.type !== 'scheme' || typeof method.number !== 'string' || !/^\d{12,19}$/.test(method.number)) {
        return fail(serviceError(422, '000', 'Field paymentMethod.number is missing or invalid', 'validation'));
      }
      const stored: SimStoredMethod = {
        id: `M${sim.nextPsp()}`,
        shopperReference,
        ...(typeof body.shopperEmail === 'string' ? { shopperEmail: body.shopperEmail } : {}),
        brand: 'visa',
        lastFour: method.number.slice(-4),
        holderName: method.holderName ?? '',
        supportedRecurringProcessingModels: [String(body.recurringProcessingModel ?? 'UnscheduledCardOnFile')],
      };
      const list = sim.state.storedMethods.get(shopperReference) ?? [];
      list.push(stored);
      sim.state.storedMethods.set(shopperReference, list);
      return { status: 200, body: { ...stored, type: 'scheme' } };
    }),
  );

  app.get('/storedPaymentMethods', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const shopperReference = c.req.query('shopperReference') ?? '';
    const merchantAccount = c.req.query('merchantAccount');
    if (merchantAccount !== sim.options.merchantAccount) {
      return answer(c, fail(serviceError(403, '901', 'Invalid Merchant Account', 'security')));
    }
    const list = sim.state.storedMethods.get(shopperReference) ?? [];
    return c.json({
      merchantAccount,
      shopperReference,
      storedPaymentMethods: list.map((m) => ({ ...m, type: 'scheme' })),
    });
  });
}
