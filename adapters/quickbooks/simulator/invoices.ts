/**
 * Invoice: a known customer, in the customer's currency, with lines whose amounts add up.
 */
import Decimal from 'decimal.js';
import type { Json, Realm } from './state.js';
import { amount, checkCurrency, customerOf, invalidRef, refValue, required, stamp, text } from './validation.js';

export function createInvoice(realm: Realm, body: Json, now: Date): Json {
  const customer = customerOf(realm, body);
  const currency = checkCurrency(body, customer);
  text(body, 'DocNumber', 21, false);
  const lines = body.Line;
  if (!Array.isArray(lines) || lines.length === 0) throw required('Line');
  let subtotal = new Decimal(0);
  const stored = lines.map((raw, index) => {
    const line = raw as Json;
    const lineAmount = amount(line.Amount, 'Amount');
    if (line.DetailType === 'SalesItemLineDetail') {
      const itemId = refValue((line.SalesItemLineDetail as Json | undefined)?.ItemRef);
      if (!itemId) throw required('ItemRef');
      if (!realm.entities.Item.has(itemId)) throw invalidRef('ItemRef', 'Item', itemId);
    } else if (line.DetailType !== 'DescriptionOnly') {
      throw required('DetailType');
    }
    subtotal = subtotal.add(lineAmount);
    return { Id: String(index + 1), LineNum: index + 1, ...line };
  });
  const tax = (body.TxnTaxDetail as Json | undefined)?.TotalTax;
  const total = subtotal.add(tax === undefined ? 0 : amount(tax, 'TotalTax')).toNumber();
  return stamp(
    realm,
    { ...body, CurrencyRef: { value: currency }, Line: stored, TotalAmt: total, Balance: total, LinkedTxn: [] },
    now,
  );
}
