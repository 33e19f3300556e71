/**
 * CreditMemo: a known customer, in its currency, with lines whose amounts add up (the invoice's
 * rules); its whole amount stays as credit on the customer (RemainingCredit) until applied.
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/creditmemo
 */
import { createInvoice } from './invoices.js';
import type { Json, Realm } from './state.js';

export function createCreditMemo(realm: Realm, body: Json, now: Date): Json {
  const { Balance: _balance, LinkedTxn: _linked, ...memo } = createInvoice(realm, body, now);
  return { ...memo, RemainingCredit: memo.TotalAmt, Balance: memo.TotalAmt };
}
