/**
 * PUT /Items: a Code (at most 30 characters) unique in the organisation; a sold item's
 * SalesDetails name an active account. https://developer.xero.com/documentation/api/accounting/items
 */
import { refuse } from './errors.js';
import { findAccount, type Json, newId, type SimTenant } from './state.js';

export function createItem(tenant: SimTenant, input: Json, now: Date): Json {
  const code = typeof input.Code === 'string' ? input.Code : '';
  if (!code) refuse('Item Code must be specified.');
  if (code.length > 30) refuse('Item Code cannot be more than 30 characters long.');
  for (const existing of tenant.objects.Items.values()) {
    if (existing.Code === code) refuse(`Item code '${code}' already exists.`);
  }
  const sales = (input.SalesDetails ?? {}) as Json;
  const account = findAccount(tenant, sales);
  if (input.IsSold !== false && !account) {
    refuse(`Account code '${String(sales.AccountCode ?? sales.AccountID ?? '')}' is not a valid code for this item.`);
  }
  const item: Json = {
    ItemID: newId(tenant),
    Code: code,
    Name: String(input.Name ?? code),
    Description: String(input.Description ?? ''),
    IsSold: input.IsSold !== false,
    IsPurchased: input.IsPurchased === true,
    SalesDetails: { AccountCode: account?.Code },
    UpdatedDateUTC: now.toISOString(),
  };
  tenant.objects.Items.set(item.ItemID as string, item);
  return item;
}

export const itemByCode = (tenant: SimTenant, code: string): Json | undefined =>
  [...tenant.objects.Items.values()].find((i) => i.Code === code);
