/** QuickBooks runs the ErpPort contract suite against its simulator on loopback. */
import { runErpPortContract } from '../contract/erp-port.contract.js';
import { serveOnLoopback } from '../sandbox/serve.js';
import { createQuickBooksAdapter } from './index.js';
import { createQuickBooksSimulator } from './simulator/index.js';

const REALM = '4620816365000001';
const TOKEN = 'contract-token';
const NOW = new Date('2026-11-23T12:00:00Z');
const ENTITY = {
  customer: 'Customer',
  item: 'Item',
  invoice: 'Invoice',
  payment: 'Payment',
  credit_memo: 'CreditMemo',
} as const;

runErpPortContract('quickbooks', async () => {
  const sim = createQuickBooksSimulator({ now: () => NOW, accessToken: TOKEN });
  const server = await serveOnLoopback(sim.app);
  return {
    port: createQuickBooksAdapter({ baseUrl: server.url, realmId: REALM, accessToken: TOKEN, now: () => NOW }),
    count: (object) => sim.state.count(REALM, ENTITY[object]),
    isVoided: (id) => String(sim.state.get(REALM, 'Invoice', id)?.PrivateNote ?? '').startsWith('Voided'),
    incomeAccountId: '79',
    books: {
      count: (object) => sim.state.count(REALM, object === 'refund' ? 'RefundReceipt' : 'JournalEntry'),
      // A fresh sandbox company's Accounts Receivable, Sales and Checking.
      accounts: { receivable: '84', revenue: '79', bank: '35' },
      unknownAccountId: '999999',
      homeCurrency: 'USD',
      foreignCurrency: 'EUR',
    },
    inject: (fault, times) => sim.faults.inject('/v3/company', fault, times),
    revokeCredentials: () => sim.state.expiredTokens.add(TOKEN),
    // QuickBooks' 401 reason (errors.ts QUICKBOOKS_TOKEN_EXPIRED), flagged for a reconnect.
    unauthorized: { expect: 'reconnect', reason: 'access token expired' },
    close: () => server.close(),
  };
});
