/**
 * /payments and the modifications on a payment (captures, refunds, cancels), as in
 * CheckoutService-v71: https://docs.adyen.com/api-explorer/Checkout/71/post/payments and
 * https://docs.adyen.com/online-payments/modify-payments. Modifications answer 201 `received`
 * and raise their notification (CAPTURE, REFUND, CANCELLATION).
 *
 * Test behaviour: a stored card whose holder name is DECLINED is refused, the way Adyen's test
 * platform takes the refusal reason from the holder name
 * (https://docs.adyen.com/development-resources/testing/result-codes).
 * Simplification [UNVERIFIED against live Adyen]: a refund above what is left, and a cancel of a
 * captured or refused payment, are refused at once with 422 rather than by a failed notification.
 */
import type { Hono } from 'hono';
import { serviceError } from './errors.js';
import { type AdyenSim, type Answer, amountOf, fail, idempotentWrite, isError, validEmail } from './requests.js';
import type { SimModification, SimPayment } from './state.js';

export function metadataOf(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function notFound(psp: string): Answer {
  return fail(
    serviceError(422, '167', `Original pspReference required for this operation: ${psp} unknown`, 'validation'),
  );
}

/** Authorises a payment of `shopperReference`'s stored method (or refuses it) and records it. */
export function authorise(
  sim: AdyenSim,
  p: Omit<SimPayment, 'pspReference' | 'status' | 'capturedValue' | 'refundedValue'>,
  declined: boolean,
): SimPayment {
  const payment: SimPayment = {
    ...p,
    pspReference: sim.nextPsp(),
    status: declined ? 'refused' : 'authorised',
    capturedValue: 0,
    refundedValue: 0,
  };
  sim.state.payments.set(payment.pspReference, payment);
  sim.notify({
    eventCode: 'AUTHORISATION',
    success: declined ? 'false' : 'true',
    pspReference: payment.pspReference,
    merchantReference: payment.merchantReference,
    amount: payment.amount,
    paymentMethod: 'visa',
    ...(declined ? { reason: 'Refused' } : {}),
    additionalData: {
      ...Object.fromEntries(Object.entries(payment.metadata).map(([k, v]) => [`metadata.${k}`, v])),
      ...(payment.shopperReference ? { shopperReference: payment.shopperReference } : {}),
      ...(payment.paymentLinkId ? { paymentLinkId: payment.paymentLinkId } : {}),
    },
  });
  return payment;
}

export function paymentRoutes(app: Hono, sim: AdyenSim): void {
  app.post('/payments', (c) =>
    idempotentWrite(c, sim, (body) => {
      const amount = amountOf(body.amount);
      if (isError(amount)) return fail(amount);
      if (typeof body.reference !== 'string' || body.reference === '') {
        return fail(serviceError(422, '000', 'Field reference is missing', 'validation'));
      }
      if (typeof body.returnUrl !== 'string') {
        return fail(serviceError(422, '000', 'Field returnUrl is missing', 'validation'));
      }
      if (!validEmail(body.shopperEmail)) {
        return fail(serviceError(422, '000', 'Field shopperEmail is not a valid email address', 'validation'));
      }
      const method = body.paymentMethod as { storedPaymentMethodId?: string } | undefined;
      const shopperReference = typeof body.shopperReference === 'string' ? body.shopperReference : '';
      const stored = (sim.state.storedMethods.get(shopperReference) ?? []).find(
        (m) => m.id === method?.storedPaymentMethodId,
      );
      if (!stored || body.shopperInteraction !== 'ContAuth') {
        return fail(
          serviceError(422, '800', 'Contract not found: no stored payment method for this shopper', 'validation'),
        );
      }
      const payment = authorise(
        sim,
        {
          merchantReference: body.reference,
          merchantAccount: sim.options.merchantAccount,
          amount,
          shopperReference,
          metadata: metadataOf(body.metadata),
        },
        stored.holderName === 'DECLINED',
      );
      return {
        status: 200,
        body: {
          pspReference: payment.pspReference,
          resultCode: payment.status === 'refused' ? 'Refused' : 'Authorised',
          merchantReference: payment.merchantReference,
          amount: payment.amount,
          ...(payment.status === 'refused' ? { refusalReason: 'Refused', refusalReasonCode: '2' } : {}),
          additionalData: { recurringProcessingModel: String(body.recurringProcessingModel ?? '') },
        },
      };
    }),
  );

  app.post('/payments/:psp/captures', (c) =>
    idempotentWrite(c, sim, (body) => {
      const payment = sim.state.payments.get(c.req.param('psp'));
      if (!payment) return notFound(c.req.param('psp'));
      const amount = amountOf(body.amount);
      if (isError(amount)) return fail(amount);
      if (payment.status !== 'authorised') {
        return fail(
          serviceError(
            422,
            '000',
            `Payment is ${payment.status}; only an authorised payment is captured`,
            'validation',
          ),
        );
      }
      if (amount.currency !== payment.amount.currency || amount.value > payment.amount.value) {
        return fail(
          serviceError(422, '000', 'Capture amount or currency does not match the authorisation', 'validation'),
        );
      }
      payment.status = 'captured';
      payment.capturedValue = amount.value;
      return modification(sim, payment, 'capture', amount, body.reference);
    }),
  );

  app.post('/payments/:psp/refunds', (c) =>
    idempotentWrite(c, sim, (body) => {
      const payment = sim.state.payments.get(c.req.param('psp'));
      if (!payment) return notFound(c.req.param('psp'));
      const amount = amountOf(body.amount);
      if (isError(amount)) return fail(amount);
      if (payment.status !== 'captured') {
        return fail(
          serviceError(422, '000', `Payment is ${payment.status}; only a captured payment is refunded`, 'validation'),
        );
      }
      if (amount.currency !== payment.amount.currency) {
        return fail(serviceError(422, '000', 'Refund currency does not match the payment', 'validation'));
      }
      const left = payment.capturedValue - payment.refundedValue;
      if (amount.value <= 0 || amount.value > left) {
        return fail(
          serviceError(
            422,
            '000',
            `Refund amount ${amount.value} exceeds the captured amount left (${left})`,
            'validation',
          ),
        );
      }
      payment.refundedValue += amount.value;
      return modification(sim, payment, 'refund', amount, body.reference);
    }),
  );

  app.post('/payments/:psp/cancels', (c) =>
    idempotentWrite(c, sim, (body) => {
      const payment = sim.state.payments.get(c.req.param('psp'));
      if (!payment) return notFound(c.req.param('psp'));
      if (payment.status === 'captured' || payment.status === 'refused') {
        return fail(serviceError(422, '000', `Payment is ${payment.status}; it cannot be cancelled`, 'validation'));
      }
      payment.status = 'cancelled';
      return modification(sim, payment, 'cancel', undefined, body.reference);
    }),
  );
}

function modification(
  sim: AdyenSim,
  payment: SimPayment,
  kind: SimModification['kind'],
  amount: SimPayment['amount'] | undefined,
  reference: unknown,
): Answer {
  const m: SimModification = {
    pspReference: sim.nextPsp(),
    kind,
    paymentPspReference: payment.pspReference,
    ...(typeof reference === 'string' ? { reference } : {}),
    ...(amount ? { amount } : {}),
  };
  sim.state.modifications.set(m.pspReference, m);
  sim.notify({
    eventCode: kind === 'capture' ? 'CAPTURE' : kind === 'refund' ? 'REFUND' : 'CANCELLATION',
    success: 'true',
    pspReference: m.pspReference,
    originalReference: payment.pspReference,
    merchantReference: payment.merchantReference,
    amount: amount ?? payment.amount,
    additionalData: Object.fromEntries(Object.entries(payment.metadata).map(([k, v]) => [`metadata.${k}`, v])),
  });
  return {
    status: 201,
    body: {
      merchantAccount: payment.merchantAccount,
      paymentPspReference: payment.pspReference,
      pspReference: m.pspReference,
      ...(m.reference ? { reference: m.reference } : {}),
      status: 'received',
      ...(amount ? { amount } : {}),
    },
  };
}
