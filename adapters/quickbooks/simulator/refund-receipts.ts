/**
 * RefundReceipt: money paid back to a known customer, in its currency, out of a known account
 * (DepositToAccountRef, required), with sales lines whose amounts make TotalAmt.
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/refundreceipt
 */
import Decimal from 'decimal.js';
import type { Json, Realm } from './state.js';
import {
  amount,
  business,
  checkCurrency,
  customerOf,
  invalidRef,
  refValue,
  required,
  stamp,
  text,
} from './validation.js';

export function createRefundReceipt(realm: Realm, body: Json, now: Date): Json {
  const customer = customerOf(realm, body);
  const currency = checkCurrency(body, customer);
  text(body, 'DocNumber', 21, false);
  text(body, 'PaymentRefNum', 21, false);
  const account = refValue(body.DepositToAccountRef);
  if (!account) throw required('DepositToAccountRef');
  if (!realm.chart.has(account)) throw invalidRef('DepositToAccountRef', 'Account', account);
  const lines = body.Line;
  if (!Array.isArray(lines) || lines.length === 0) throw required('Line');
  let total = new Decimal(0);
  const stored = lines.map((raw, index) => {
    const line = raw as Json;
    if (line.DetailType !== 'SalesItemLineDetail') throw required('SalesItemLineDetail');
    const lineAmount = amount(line.Amount, 'Amount');
    if (lineAmount.isNegative()) throw business('a refund line amount must not be negative', 'Amount');
    const itemId = refValue((line.SalesItemLineDetail as Json | undefined)?.ItemRef);
    if (itemId && !realm.entities.Item.has(itemId)) throw invalidRef('ItemRef', 'Item', itemId);
    total = total.add(lineAmount);
    return { Id: String(index + 1), LineNum: index + 1, ...line };
  });
  return stamp(realm, { ...body, CurrencyRef: { value: currency }, Line: stored, TotalAmt: total.toNumber() }, now);
}
