/** Razorpay runs the PaymentPort contract suite against its simulator on loopback. */
import { runPaymentPortContract } from '../contract/payment-port.contract.js';
import { serveOnLoopback } from '../sandbox/serve.js';
import { createRazorpayAdapter } from './index.js';
import { createRazorpaySimulator } from './simulator/index.js';

const NOW = new Date('2026-11-20T09:30:00Z');
export const RAZORPAY_TEST = {
  keyId: 'rzp_test_Contract00001',
  keySecret: 'contract_key_secret',
  webhookSecret: 'contract_webhook_secret',
  sandboxToken: 'token_SandboxCard001',
};

runPaymentPortContract('razorpay', async () => {
  const sim = createRazorpaySimulator({ ...RAZORPAY_TEST, now: () => NOW });
  const server = await serveOnLoopback(sim.app);
  return {
    port: createRazorpayAdapter({ ...RAZORPAY_TEST, baseUrl: server.url, now: () => NOW }),
    count: (object) =>
      object === 'customer'
        ? sim.state.customers.size
        : object === 'refund'
          ? sim.state.refunds.size
          : sim.state.orders.size,
    async signedEvent() {
      // The latest payment event (refund events follow it in the contract's refund tests).
      const event = [...sim.state.events].reverse().find((e) => e.event.startsWith('payment.'));
      if (!event) throw new Error('the simulator has no payment event yet');
      const d = await sim.delivery(event);
      return {
        rawBody: d.rawBody,
        headers: new Headers({ 'x-razorpay-signature': d.signature, 'x-razorpay-event-id': d.eventId }),
      };
    },
    // A dropped connection hits a write (the lookups before it are reads); status faults hit the next call.
    inject: (fault, times) => sim.faults.inject('/v1', fault, times, fault.kind === 'timeout' ? 'POST' : '*'),
    revokeCredentials: () => sim.faults.always('/v1', { kind: 'status', status: 401 }),
    unauthorized: { expect: 'reconnect', reason: '(flagged)' },
    signedTimestamp: false,
    close: () => server.close(),
  };
});
