/**
 * Payment: a known customer, and the invoices it pays linked both ways (their balance goes down).
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

export function createPayment(realm: Realm, body: Json, now: Date): Json {
  const customer = customerOf(realm, body);
  const currency = checkCurrency(body, customer);
  const total = amount(body.TotalAmt, 'TotalAmt');
  text(body, 'PaymentRefNum', 21, false);
  const lines = Array.isArray(body.Line) ? (body.Line as Json[]) : [];
  // Validate every application before touching any invoice.
  const applications: { invoice: Json; applied: Decimal }[] = [];
  let applied = new Decimal(0);
  for (const line of lines) {
    const lineAmount = amount(line.Amount, 'Amount');
    const linked = Array.isArray(line.LinkedTxn) ? (line.LinkedTxn as Json[]) : [];
    if (linked.length === 0) throw required('LinkedTxn');
    for (const txn of linked) {
      if (txn.TxnType !== 'Invoice') throw business(`cannot apply a payment to ${String(txn.TxnType)}`, 'LinkedTxn');
      const invoice = realm.entities.Invoice.get(String(txn.TxnId));
      if (!invoice) throw invalidRef('LinkedTxn', 'Invoice', txn.TxnId);
      if (refValue(invoice.CustomerRef) !== customer.Id) {
        throw business(`invoice ${String(txn.TxnId)} belongs to another customer`, 'LinkedTxn');
      }
      if (lineAmount.greaterThan(new Decimal(invoice.Balance as number))) {
        throw business(`payment of ${lineAmount} exceeds the open balance of invoice ${String(txn.TxnId)}`, 'Amount');
      }
      applications.push({ invoice, applied: lineAmount });
    }
    applied = applied.add(lineAmount);
  }
  if (applied.greaterThan(total)) throw business('the amounts applied exceed the payment total', 'TotalAmt');
  const payment = stamp(
    realm,
    { ...body, CurrencyRef: { value: currency }, UnappliedAmt: total.sub(applied).toNumber() },
    now,
  );
  for (const { invoice, applied: part } of applications) {
    invoice.Balance = new Decimal(invoice.Balance as number).sub(part).toNumber();
    invoice.SyncToken = String(Number(invoice.SyncToken) + 1);
    invoice.MetaData = { ...(invoice.MetaData as Json), LastUpdatedTime: now.toISOString() };
    (invoice.LinkedTxn as Json[]).push({ TxnId: payment.Id, TxnType: 'Payment' });
  }
  return payment;
}
