/** The ErpPort contract suite checked against the in-memory example vendor: no simulator, no server. */
import { runErpPortContract } from './erp-port.contract.js';
import { createInMemoryErp, IN_MEMORY_ACCOUNTS } from './in-memory-erp.contract.js';

runErpPortContract('in-memory example', async () => {
  const erp = createInMemoryErp();
  return {
    port: erp.port,
    count: erp.count,
    isVoided: erp.isVoided,
    incomeAccountId: '1',
    books: {
      count: erp.count,
      accounts: IN_MEMORY_ACCOUNTS,
      unknownAccountId: '9999',
      homeCurrency: 'USD',
      foreignCurrency: 'EUR',
    },
    inject: erp.inject,
    revokeCredentials: erp.revoke,
    // It sets the structured flag, so any reason will do.
    unauthorized: { expect: 'reconnect', reason: '(flagged)' },
    close: async () => {},
  };
});
