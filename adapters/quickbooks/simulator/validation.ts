/**
 * How the simulator rejects a create, in Intuit's words and codes, and the field readers every
 * entity's rules share. A rule throws a Rejection; createEntity turns it into a ValidationFault.
 * Codes follow https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
import Decimal from 'decimal.js';
import type { Json, Realm } from './state.js';

export class Rejection {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly detail: string,
    readonly element = '',
  ) {}
}

export const required = (element: string) =>
  new Rejection(
    '2020',
    'Required param missing, need to supply the required value for the API',
    `Required parameter ${element} is missing in the request`,
    element,
  );
export const invalidRef = (element: string, what: string, id: unknown) =>
  new Rejection('2500', 'Invalid Reference Id', `Invalid Reference Id : ${what} id ${String(id)} not found`, element);
export const tooLong = (element: string, max: number, length: number) =>
  new Rejection(
    '2050',
    'String length specified does not match the supported length',
    `Min:0 Max:${max} supported. Supplied length:${length}`,
    element,
  );
export const business = (detail: string, element = '') =>
  new Rejection(
    '6000',
    'A business validation error has occurred while processing your request',
    `Business Validation Error: ${detail}`,
    element,
  );
export const duplicateName = (id: string) =>
  new Rejection(
    '6240',
    'Duplicate Name Exists Error',
    `The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name. Id=${id}`,
  );

export function refValue(ref: unknown): string | undefined {
  const value = (ref as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function text(body: Json, field: string, max: number, need: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (need) throw required(field);
    return undefined;
  }
  if (typeof value !== 'string') throw required(field);
  if (value.length > max) throw tooLong(field, max, value.length);
  return value;
}

/** Money arrives as JSON numbers; compute on their printed decimal form, never on doubles. */
export function amount(value: unknown, element: string): Decimal {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw required(element);
  return new Decimal(value);
}

export function findByField(map: Map<string, Json>, field: string, value: string): Json | undefined {
  for (const entity of map.values()) if (entity[field] === value) return entity;
  return undefined;
}

export function stamp(realm: Realm, body: Json, now: Date): Json {
  const id = String(realm.nextId++);
  const at = now.toISOString();
  return {
    ...body,
    Id: id,
    SyncToken: '0',
    domain: 'QBO',
    sparse: false,
    MetaData: { CreateTime: at, LastUpdatedTime: at },
  };
}

export function customerOf(realm: Realm, body: Json): Json {
  const id = refValue(body.CustomerRef);
  if (!id) throw required('CustomerRef');
  const customer = realm.entities.Customer.get(id);
  if (!customer) throw invalidRef('CustomerRef', 'Customer', id);
  return customer;
}

export function checkCurrency(body: Json, customer: Json): string {
  const customerCurrency = refValue(customer.CurrencyRef) ?? 'USD';
  const currency = refValue(body.CurrencyRef) ?? customerCurrency;
  if (currency !== customerCurrency) {
    throw business(
      `transaction currency ${currency} does not match customer currency ${customerCurrency}`,
      'CurrencyRef',
    );
  }
  return currency;
}
