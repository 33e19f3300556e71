/** The ErpPort contract suite checked against the in-memory example vendor: no simulator, no server. */
import { runErpPortContract } from './erp-port.contract.js';
import { createInMemoryErp } from './in-memory-erp.contract.js';

runErpPortContract('in-memory example', async () => {
  const erp = createInMemoryErp();
  return {
    port: erp.port,
    count: erp.count,
    isVoided: erp.isVoided,
    incomeAccountId: '1',
    inject: erp.inject,
    revokeCredentials: erp.revoke,
    // It sets the structured flag, so any reason will do.
    unauthorized: { expect: 'reconnect', reason: '(flagged)' },
    close: async () => {},
  };
});
