/** Anrok runs the TaxPort contract suite against its simulator on loopback. */
import { EXEMPT_CUSTOMER, runTaxPortContract } from '../contract/tax-port.contract.js';
import { serveOnLoopback } from '../sandbox/serve.js';
import { createAnrokAdapter } from './index.js';
import { createAnrokSimulator, SIMULATOR_API_KEY } from './simulator/index.js';

const NOW = new Date('2026-11-02T10:00:00Z');

runTaxPortContract('anrok', async () => {
  const sim = createAnrokSimulator({ now: () => NOW });
  // The contract's product is known to Anrok, and its exempt customer holds a California certificate.
  sim.state.addProduct('PLAT');
  sim.state.addExemptCustomer(EXEMPT_CUSTOMER, ['us-CA']);
  const server = await serveOnLoopback(sim.app);
  return {
    port: createAnrokAdapter({ baseUrl: server.url, apiKey: SIMULATOR_API_KEY, now: () => NOW }),
    count: () => sim.state.count(),
    inject: (fault, times) => sim.faults.inject('/v1', fault, times),
    revokeCredentials: () => sim.faults.always('/v1', { kind: 'status', status: 401 }),
    unauthorized: { expect: 'reconnect', reason: '(flagged)' },
    close: () => server.close(),
  };
});
