/**
 * PUT /Contacts: a Name is required and unique among active contacts (Xero's own rule and message).
 * https://developer.xero.com/documentation/api/accounting/contacts
 */
import { refuse } from './errors.js';
import { type Json, newId, type SimTenant } from './state.js';

export function createContact(tenant: SimTenant, input: Json, now: Date): Json {
  const name = typeof input.Name === 'string' ? input.Name.trim() : '';
  if (!name) refuse('The contact name must be specified.');
  for (const existing of tenant.objects.Contacts.values()) {
    if (existing.ContactStatus === 'ACTIVE' && existing.Name === name) {
      refuse(
        `The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`,
      );
    }
  }
  if (input.DefaultCurrency !== undefined && !tenant.currencies.has(String(input.DefaultCurrency))) {
    refuse(`The currency ${String(input.DefaultCurrency)} is not enabled for this organisation.`);
  }
  const contact: Json = {
    ContactID: newId(tenant),
    ContactStatus: 'ACTIVE',
    Name: name,
    ...(input.ContactNumber ? { ContactNumber: String(input.ContactNumber) } : {}),
    ...(input.EmailAddress ? { EmailAddress: String(input.EmailAddress) } : {}),
    ...(input.DefaultCurrency ? { DefaultCurrency: String(input.DefaultCurrency) } : {}),
    IsCustomer: true,
    IsSupplier: false,
    UpdatedDateUTC: now.toISOString(),
  };
  tenant.objects.Contacts.set(contact.ContactID as string, contact);
  return contact;
}
