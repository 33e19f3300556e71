/**
 * Invoices (PUT /Invoices, POST /Invoices/{id} to void) and credit notes (PUT /CreditNotes,
 * PUT /CreditNotes/{id}/Allocations), with the checks Xero makes: a known contact, item codes and
 * account codes, an enabled currency, a known tax type; a line's TaxAmount taken as sent.
 * A void is refused while payments or credit notes are allocated.
 *   https://developer.xero.com/documentation/api/accounting/invoices
 *   https://developer.xero.com/documentation/api/accounting/creditnotes
 */
import type Decimal from 'decimal.js';
import { refuse } from './errors.js';
import { itemByCode } from './items.js';
import { dec, num } from './money.js';
import { findAccount, type Json, newId, type SimTenant } from './state.js';

const TAX_TYPES = new Set(['NONE', 'OUTPUT', 'OUTPUT2', 'TAX001', 'EXEMPTOUTPUT', 'TAXONSALES']);

function lines(tenant: SimTenant, input: Json, currency: string): { lines: Json[]; sub: Decimal; tax: Decimal } {
  const raw = Array.isArray(input.LineItems) ? (input.LineItems as Json[]) : [];
  if (raw.length === 0) refuse('At least one line item must be specified.');
  let sub = dec(0);
  let tax = dec(0);
  const out = raw.map((line) => {
    const item = line.ItemCode !== undefined ? itemByCode(tenant, String(line.ItemCode)) : undefined;
    if (line.ItemCode !== undefined && !item) refuse(`Item code '${String(line.ItemCode)}' is not valid.`);
    const accountCode = line.AccountCode ?? (item?.SalesDetails as Json | undefined)?.AccountCode;
    const account = findAccount(tenant, { AccountCode: accountCode, AccountID: line.AccountID });
    if (!account) refuse(`Account code '${String(accountCode ?? '')}' is not a valid code for this document.`);
    const taxType = String(line.TaxType ?? 'NONE');
    if (!TAX_TYPES.has(taxType))
      refuse(`The TaxType code '${taxType}' does not exist or cannot be used for this type of transaction.`);
    const quantity = dec(line.Quantity ?? 1);
    const amount = line.LineAmount !== undefined ? dec(line.LineAmount) : quantity.mul(dec(line.UnitAmount));
    const lineTax = taxType === 'NONE' ? dec(0) : dec(line.TaxAmount ?? 0);
    sub = sub.add(amount);
    tax = tax.add(lineTax);
    return {
      LineItemID: newId(tenant),
      ...(item ? { ItemCode: item.Code } : {}),
      Description: String(line.Description ?? ''),
      Quantity: quantity.toNumber(),
      UnitAmount: dec(line.UnitAmount).toNumber(),
      LineAmount: num(amount, currency),
      AccountCode: account!.Code,
      TaxType: taxType,
      TaxAmount: num(lineTax, currency),
    };
  });
  return { lines: out, sub, tax };
}

function documentBase(tenant: SimTenant, input: Json, now: Date): Json {
  const contactId = (input.Contact as Json | undefined)?.ContactID;
  const contact = contactId ? tenant.objects.Contacts.get(String(contactId)) : undefined;
  if (!contact) refuse(`Contact with ContactID ${String(contactId ?? '(none)')} could not be found.`);
  const currency = String(input.CurrencyCode ?? 'USD');
  if (!tenant.currencies.has(currency)) refuse(`The currency ${currency} is not enabled for this organisation.`);
  const status = String(input.Status ?? 'DRAFT');
  if (!['DRAFT', 'SUBMITTED', 'AUTHORISED'].includes(status))
    refuse(`Status ${status} is not valid for a new document.`);
  const { lines: lineItems, sub, tax } = lines(tenant, input, currency);
  const total = sub.add(tax);
  return {
    Contact: { ContactID: contact!.ContactID, Name: contact!.Name },
    Date: String(input.Date ?? now.toISOString().slice(0, 10)),
    CurrencyCode: currency,
    LineAmountTypes: String(input.LineAmountTypes ?? 'Exclusive'),
    Status: status,
    LineItems: lineItems,
    SubTotal: num(sub, currency),
    TotalTax: num(tax, currency),
    Total: num(total, currency),
    Reference: String(input.Reference ?? ''),
    UpdatedDateUTC: now.toISOString(),
  };
}

export function createInvoice(tenant: SimTenant, input: Json, now: Date): Json {
  if (input.Type !== 'ACCREC' && input.Type !== 'ACCPAY') refuse('Invoice Type must be ACCREC or ACCPAY.');
  const base = documentBase(tenant, input, now);
  const invoice: Json = {
    InvoiceID: newId(tenant),
    Type: input.Type,
    InvoiceNumber: String(input.InvoiceNumber ?? `INV-${tenant.nextId}`),
    DueDate: String(input.DueDate ?? base.Date),
    ...base,
    AmountDue: base.Total,
    AmountPaid: 0,
    AmountCredited: 0,
    Payments: [],
    CreditNotes: [],
  };
  tenant.objects.Invoices.set(invoice.InvoiceID as string, invoice);
  return invoice;
}

export function createCreditNote(tenant: SimTenant, input: Json, now: Date): Json {
  if (input.Type !== 'ACCRECCREDIT' && input.Type !== 'ACCPAYCREDIT') {
    refuse('Credit note Type must be ACCRECCREDIT or ACCPAYCREDIT.');
  }
  const base = documentBase(tenant, input, now);
  const note: Json = {
    CreditNoteID: newId(tenant),
    Type: input.Type,
    CreditNoteNumber: String(input.CreditNoteNumber ?? `CN-${tenant.nextId}`),
    ...base,
    RemainingCredit: base.Total,
    Allocations: [],
    Payments: [],
  };
  tenant.objects.CreditNotes.set(note.CreditNoteID as string, note);
  return note;
}

/** Lowers an invoice's amount due; fully settled, it is PAID. */
export function settle(invoice: Json, amount: Decimal, field: 'AmountPaid' | 'AmountCredited'): void {
  const currency = String(invoice.CurrencyCode);
  const due = dec(invoice.AmountDue).sub(amount);
  invoice.AmountDue = num(due, currency);
  invoice[field] = num(dec(invoice[field]).add(amount), currency);
  if (due.isZero()) invoice.Status = 'PAID';
}

export function allocate(tenant: SimTenant, noteId: string, input: Json, now: Date): Json[] {
  const note = tenant.objects.CreditNotes.get(noteId);
  if (!note) refuse(`Credit note ${noteId} could not be found.`);
  const requested = Array.isArray(input.Allocations) ? (input.Allocations as Json[]) : [];
  if (requested.length === 0) refuse('At least one allocation must be specified.');
  const done: Json[] = [];
  for (const allocation of requested) {
    const invoiceId = String((allocation.Invoice as Json | undefined)?.InvoiceID ?? '');
    const invoice = tenant.objects.Invoices.get(invoiceId);
    if (!invoice) refuse(`Invoice ${invoiceId} could not be found.`);
    if (note!.Status !== 'AUTHORISED') refuse('The credit note must be AUTHORISED to be allocated.');
    if (invoice!.Status !== 'AUTHORISED') refuse('The invoice must be AUTHORISED to receive an allocation.');
    if ((invoice!.Contact as Json).ContactID !== (note!.Contact as Json).ContactID) {
      refuse('The credit note and the invoice must belong to the same contact.');
    }
    if (invoice!.CurrencyCode !== note!.CurrencyCode) refuse('The credit note and the invoice must share a currency.');
    const amount = dec(allocation.Amount);
    if (amount.lte(0)) refuse('Allocation amount must be greater than zero.');
    if (amount.gt(dec(note!.RemainingCredit))) refuse('Allocation amount exceeds the remaining credit.');
    if (amount.gt(dec(invoice!.AmountDue))) refuse('Allocation amount exceeds the amount due on the invoice.');
    const currency = String(note!.CurrencyCode);
    note!.RemainingCredit = num(dec(note!.RemainingCredit).sub(amount), currency);
    if (dec(note!.RemainingCredit).isZero()) note!.Status = 'PAID';
    settle(invoice!, amount, 'AmountCredited');
    const record = {
      AllocationID: newId(tenant),
      Amount: num(amount, currency),
      Date: String(allocation.Date ?? now.toISOString().slice(0, 10)),
      Invoice: { InvoiceID: invoiceId, InvoiceNumber: invoice!.InvoiceNumber },
      CreditNote: { CreditNoteID: noteId, CreditNoteNumber: note!.CreditNoteNumber },
    };
    (note!.Allocations as Json[]).push(record);
    (invoice!.CreditNotes as Json[]).push({ CreditNoteID: noteId, AppliedAmount: record.Amount });
    done.push(record);
  }
  return done;
}

/** POST /Invoices/{id} with a Status: VOIDED for an authorised invoice, DELETED for a draft. */
export function updateInvoiceStatus(tenant: SimTenant, id: string, input: Json, now: Date): Json {
  const invoice = tenant.objects.Invoices.get(id);
  if (!invoice) refuse(`Invoice ${id} could not be found.`);
  const status = String(input.Status ?? '');
  if (invoice!.Status === status) return invoice!;
  if (status === 'VOIDED') {
    if (dec(invoice!.AmountPaid).gt(0) || dec(invoice!.AmountCredited).gt(0)) {
      refuse('This document cannot be voided as it has payments or credit notes allocated to it.');
    }
    if (invoice!.Status !== 'AUTHORISED' && invoice!.Status !== 'SUBMITTED') {
      refuse(`An invoice in status ${String(invoice!.Status)} cannot be voided.`);
    }
  } else if (status === 'DELETED') {
    if (invoice!.Status !== 'DRAFT' && invoice!.Status !== 'SUBMITTED') refuse('Only a draft invoice can be deleted.');
  } else {
    refuse(`The simulator changes an invoice's status to VOIDED or DELETED only, not ${status}.`);
  }
  invoice!.Status = status;
  invoice!.AmountDue = 0;
  invoice!.UpdatedDateUTC = now.toISOString();
  return invoice!;
}
