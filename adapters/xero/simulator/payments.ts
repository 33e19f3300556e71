/**
 * PUT /Payments: a payment on an authorised invoice (ACCRECPAYMENT), or a cash refund out of a
 * credit note (ARCREDITPAYMENT), from a bank account, never more than is outstanding.
 * https://developer.xero.com/documentation/api/accounting/payments
 */
import { settle } from './documents.js';
import { refuse } from './errors.js';
import { dec, num } from './money.js';
import { findAccount, type Json, newId, type SimTenant } from './state.js';

export function createPayment(tenant: SimTenant, input: Json, now: Date): Json {
  const accountRef = (input.Account ?? {}) as Json;
  const account = findAccount(tenant, accountRef);
  if (account?.Type !== 'BANK') {
    refuse(`Account code '${String(accountRef.Code ?? accountRef.AccountID ?? '')}' is not a valid bank account.`);
  }
  const amount = dec(input.Amount);
  if (amount.lte(0)) refuse('Payment amount must be greater than zero.');
  const invoiceId = (input.Invoice as Json | undefined)?.InvoiceID;
  const noteId = (input.CreditNote as Json | undefined)?.CreditNoteID;
  let payment: Json;
  if (invoiceId !== undefined) {
    const invoice = tenant.objects.Invoices.get(String(invoiceId));
    if (!invoice) refuse(`Invoice ${String(invoiceId)} could not be found.`);
    if (invoice!.Status !== 'AUTHORISED') refuse(`Payments can only be made against AUTHORISED invoices.`);
    if (amount.gt(dec(invoice!.AmountDue))) refuse('Payment amount exceeds the amount outstanding on this document.');
    settle(invoice!, amount, 'AmountPaid');
    payment = {
      PaymentType: 'ACCRECPAYMENT',
      Invoice: { InvoiceID: invoice!.InvoiceID, InvoiceNumber: invoice!.InvoiceNumber },
      CurrencyRate: 1,
      Amount: num(amount, String(invoice!.CurrencyCode)),
    };
  } else if (noteId !== undefined) {
    const note = tenant.objects.CreditNotes.get(String(noteId));
    if (!note) refuse(`Credit note ${String(noteId)} could not be found.`);
    if (note!.Status !== 'AUTHORISED') refuse('Refunds can only be made against AUTHORISED credit notes.');
    const currency = String(note!.CurrencyCode);
    if (amount.gt(dec(note!.RemainingCredit)))
      refuse('Payment amount exceeds the remaining credit on this credit note.');
    note!.RemainingCredit = num(dec(note!.RemainingCredit).sub(amount), currency);
    if (dec(note!.RemainingCredit).isZero()) note!.Status = 'PAID';
    payment = {
      PaymentType: 'ARCREDITPAYMENT',
      CreditNote: { CreditNoteID: note!.CreditNoteID, CreditNoteNumber: note!.CreditNoteNumber },
      CurrencyRate: 1,
      Amount: num(amount, currency),
    };
  } else {
    return refuse('A payment needs an Invoice or a CreditNote.');
  }
  const stored: Json = {
    PaymentID: newId(tenant),
    Status: 'AUTHORISED',
    Date: String(input.Date ?? now.toISOString().slice(0, 10)),
    Reference: String(input.Reference ?? ''),
    Account: { AccountID: account!.AccountID, Code: account!.Code },
    ...payment,
    UpdatedDateUTC: now.toISOString(),
  };
  if (invoiceId !== undefined) {
    (tenant.objects.Invoices.get(String(invoiceId))!.Payments as Json[]).push({
      PaymentID: stored.PaymentID,
      Amount: stored.Amount,
    });
  } else {
    (tenant.objects.CreditNotes.get(String(noteId))!.Payments as Json[]).push({
      PaymentID: stored.PaymentID,
      Amount: stored.Amount,
    });
  }
  tenant.objects.Payments.set(stored.PaymentID as string, stored);
  return stored;
}
