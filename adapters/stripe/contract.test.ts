/** Stripe runs the PaymentPort contract suite against its simulator on loopback. */
import { runPaymentPortContract } from '../contract/payment-port.contract.js';
import { serveOnLoopback } from '../sandbox/serve.js';
import { createStripeAdapter } from './index.js';
import { createStripeSimulator } from './simulator/index.js';

const NOW = new Date('2026-11-20T09:30:00Z');
const SECRET = 'whsec_contract_secret';
const KEY = 'sk_test_contract_key_0001';

runPaymentPortContract('stripe', async () => {
  // No webhook URL: events stay in the simulator, and the suite signs them itself.
  const sim = createStripeSimulator({ webhookSecret: SECRET, now: () => NOW });
  const server = await serveOnLoopback(sim.app);
  return {
    port: createStripeAdapter({
      apiKey: KEY,
      webhookSecret: SECRET,
      baseUrl: server.url,
      testPaymentMethod: 'pm_card_visa',
      now: () => NOW,
    }),
    count: (object) =>
      object === 'customer'
        ? sim.state.customers.size
        : object === 'refund'
          ? sim.state.refunds.size
          : sim.state.paymentIntents.size,
    async signedEvent(ageSeconds = 0) {
      const event = sim.state.events.at(-1);
      if (!event) throw new Error('the simulator has no event yet');
      // Stripe delivers pretty-printed JSON; the signature covers these exact bytes.
      const rawBody = JSON.stringify(event, null, 2);
      const signature = await sim.signPayload(rawBody, Math.floor(NOW.getTime() / 1000) - ageSeconds);
      return { rawBody, headers: new Headers({ 'stripe-signature': signature }) };
    },
    inject: (fault, times) => sim.faults.inject('/v1', fault, times),
    // An API key has no refresh: an expired key answers 401 on every call.
    revokeCredentials: () => sim.faults.always('/v1', { kind: 'status', status: 401 }),
    // A rejected key needs a person to enter a new one: flagged for a reconnect.
    unauthorized: { expect: 'reconnect', reason: '(flagged)' },
    close: () => server.close(),
  };
});
