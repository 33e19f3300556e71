/**
 * The invoice void operation (POST /invoice?operation=void, body {Id, SyncToken}): the invoice is
 * kept with every amount zeroed and "Voided" put before its PrivateNote. A stale SyncToken, or a
 * payment applied to the invoice, is refused as QuickBooks does.
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice#void-an-invoice
 */
import type { Json, Realm } from './state.js';
import { business, invalidRef, Rejection, required } from './validation.js';

export function voidInvoice(realm: Realm, body: Json, now: Date): Json {
  const id = typeof body.Id === 'string' ? body.Id : undefined;
  if (!id) throw required('Id');
  if (typeof body.SyncToken !== 'string') throw required('SyncToken');
  const invoice = realm.entities.Invoice.get(id);
  if (!invoice) throw invalidRef('Id', 'Invoice', id);
  if (invoice.SyncToken !== body.SyncToken) {
    throw new Rejection(
      '5010',
      'Stale Object Error',
      `Stale Object Error : You and ${String(invoice.Id)} were working on this at the same time.`,
      'SyncToken',
    );
  }
  const linked = Array.isArray(invoice.LinkedTxn) ? (invoice.LinkedTxn as Json[]) : [];
  if (linked.some((t) => t.TxnType === 'Payment')) {
    throw business('this invoice has a payment applied; remove the payment before voiding it', 'Id');
  }
  const note = typeof invoice.PrivateNote === 'string' && invoice.PrivateNote ? ` ${invoice.PrivateNote}` : '';
  const voided: Json = {
    ...invoice,
    Line: (invoice.Line as Json[]).map((line) => ({ ...line, Amount: 0 })),
    TxnTaxDetail: { TotalTax: 0 },
    TotalAmt: 0,
    Balance: 0,
    PrivateNote: `Voided${note}`,
    SyncToken: String(Number(invoice.SyncToken) + 1),
  };
  // A void is an update of the same invoice: its Id stays, MetaData records the change.
  voided.MetaData = { ...(invoice.MetaData as Json), LastUpdatedTime: now.toISOString() };
  return voided;
}
