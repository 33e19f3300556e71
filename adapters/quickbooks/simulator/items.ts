/**
 * Item: a Name, and an IncomeAccountRef that must be one of the realm's income accounts.
 */
import type { Json, Realm } from './state.js';
import { business, duplicateName, findByField, invalidRef, refValue, required, stamp, text } from './validation.js';

export function createItem(realm: Realm, body: Json, now: Date): Json {
  const name = text(body, 'Name', 100, true)!;
  const type = text(body, 'Type', 20, true)!;
  if (!['Service', 'NonInventory'].includes(type)) throw business(`Item Type ${type} is not supported here`, 'Type');
  const account = refValue(body.IncomeAccountRef);
  if (!account) throw required('IncomeAccountRef');
  if (!realm.accounts.has(account)) throw invalidRef('IncomeAccountRef', 'Account', account);
  const taken = findByField(realm.entities.Item, 'Name', name);
  if (taken) throw duplicateName(taken.Id as string);
  return stamp(realm, { ...body, FullyQualifiedName: name, Active: true }, now);
}
