/** Adyen runs the PaymentPort contract suite against its simulator on loopback. */
import { runPaymentPortContract } from '../contract/payment-port.contract.js';
import { serveOnLoopback } from '../sandbox/serve.js';
import { createAdyenAdapter } from './index.js';
import { createAdyenSimulator } from './simulator/index.js';

const NOW = new Date('2026-11-20T09:30:00Z');
export const ADYEN_TEST = {
  apiKey: 'AQE_contract_key',
  merchantAccount: 'HubContractECOM',
  // 32 bytes in hex, as Adyen's Customer Area shows an HMAC key.
  hmacKey: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056',
  testCardNumber: '4111111145551142',
};

runPaymentPortContract('adyen', async () => {
  const sim = createAdyenSimulator({ ...ADYEN_TEST, now: () => NOW });
  const server = await serveOnLoopback(sim.app);
  return {
    port: createAdyenAdapter({ ...ADYEN_TEST, baseUrl: server.url, now: () => NOW }),
    count: (object) =>
      object === 'customer'
        ? sim.state.storedMethods.size
        : object === 'refund'
          ? [...sim.state.modifications.values()].filter((m) => m.kind === 'refund').length
          : sim.state.payments.size,
    async signedEvent() {
      const item = sim.state.notifications.at(-1);
      if (!item) throw new Error('the simulator has no notification yet');
      // The HMAC covers the item's fields, not a time: any age gives the same bytes.
      return { rawBody: await sim.webhookBody(item), headers: new Headers({ 'content-type': 'application/json' }) };
    },
    // Faults hit the writes (POST): Adyen has no read of a payment for them to hit instead.
    inject: (fault, times) => sim.faults.inject('/v7', fault, times, 'POST'),
    revokeCredentials: () => sim.faults.always('/v7', { kind: 'status', status: 401 }),
    unauthorized: { expect: 'reconnect', reason: '(flagged)' },
    reconcile: 'key-replay',
    unsigned: ({ rawBody, headers }) => ({
      rawBody: rawBody.replace(/"hmacSignature":"[^"]*"/, '"hmacSignature":""'),
      headers,
    }),
    signedTimestamp: false,
    close: () => server.close(),
  };
});
