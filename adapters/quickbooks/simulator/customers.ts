/**
 * Customer: DisplayName required and unique in the realm (6240 Duplicate Name Exists).
 */
import type { Json, Realm } from './state.js';
import { duplicateName, findByField, refValue, stamp, text } from './validation.js';

export function createCustomer(realm: Realm, body: Json, now: Date): Json {
  const name = text(body, 'DisplayName', 500, true)!;
  const taken = findByField(realm.entities.Customer, 'DisplayName', name);
  if (taken) throw duplicateName(taken.Id as string);
  const currency = refValue(body.CurrencyRef) ?? 'USD';
  return stamp(
    realm,
    {
      ...body,
      CurrencyRef: { value: currency },
      FullyQualifiedName: name,
      Active: true,
      Balance: 0,
      BalanceWithJobs: 0,
    },
    now,
  );
}
