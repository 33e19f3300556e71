/** Avalara runs the TaxPort contract suite against its AvaTax simulator on loopback. */
import { runTaxPortContract } from '../contract/tax-port.contract.js';
import { serveOnLoopback } from '../sandbox/serve.js';
import { createAvalaraAdapter } from './index.js';
import { createAvalaraSimulator, SIMULATOR_CREDENTIALS } from './simulator/index.js';

const NOW = new Date('2026-11-02T10:00:00Z');
const COMPANY = 'ACMECO';

runTaxPortContract('avalara', async () => {
  const sim = createAvalaraSimulator({ now: () => NOW });
  const server = await serveOnLoopback(sim.app);
  return {
    port: createAvalaraAdapter({ baseUrl: server.url, ...SIMULATOR_CREDENTIALS, companyCode: COMPANY, now: () => NOW }),
    count: () => sim.state.count(COMPANY),
    inject: (fault, times) => sim.faults.inject('/api/v2', fault, times),
    // The simulator's credentials are fixed; a 401 on every call is what a revoked licence key looks like.
    revokeCredentials: () => sim.faults.always('/api/v2', { kind: 'status', status: 401 }),
    // AvaTax has no token to refresh: a rejected licence key is flagged for a reconnect.
    unauthorized: { expect: 'reconnect', reason: '(flagged)' },
    close: () => server.close(),
  };
});
