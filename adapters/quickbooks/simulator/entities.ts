/**
 * Entity rules of the QuickBooks Online simulator: what a create accepts, what it rejects (in
 * Intuit's Fault envelope and codes), and what it stores. Runtime-neutral (no node: imports).
 * Codes follow https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
import Decimal from 'decimal.js';
import type { IdempotencyCache } from '../../sandbox/idempotency.js';

export type Json = Record<string, unknown>;
export type SimEntity = 'Customer' | 'Item' | 'Invoice' | 'Payment';

export interface Realm {
  readonly id: string;
  nextId: number;
  readonly entities: Record<SimEntity, Map<string, Json>>;
  /** Income account ids that IncomeAccountRef may point at. */
  readonly accounts: Set<string>;
  /** requestid → original response, per realm as Intuit scopes it. */
  readonly requests: IdempotencyCache;
}

export interface SimResult {
  status: number;
  body: Json;
}

export function faultBody(
  type: string,
  errors: { Message: string; Detail: string; code: string; element?: string }[],
  time: string,
): Json {
  return { Fault: { Error: errors.map((e) => ({ element: '', ...e })), type }, time };
}

class Rejection {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly detail: string,
    readonly element = '',
  ) {}
}

const required = (element: string) =>
  new Rejection(
    '2020',
    'Required param missing, need to supply the required value for the API',
    `Required parameter ${element} is missing in the request`,
    element,
  );
const invalidRef = (element: string, what: string, id: unknown) =>
  new Rejection('2500', 'Invalid Reference Id', `Invalid Reference Id : ${what} id ${String(id)} not found`, element);
const tooLong = (element: string, max: number, length: number) =>
  new Rejection(
    '2050',
    'String length specified does not match the supported length',
    `Min:0 Max:${max} supported. Supplied length:${length}`,
    element,
  );
const business = (detail: string, element = '') =>
  new Rejection(
    '6000',
    'A business validation error has occurred while processing your request',
    `Business Validation Error: ${detail}`,
    element,
  );
const duplicateName = (id: string) =>
  new Rejection(
    '6240',
    'Duplicate Name Exists Error',
    `The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name. Id=${id}`,
  );

function refValue(ref: unknown): string | undefined {
  const value = (ref as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function text(body: Json, field: string, max: number, need: boolean): string | undefined {
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
function amount(value: unknown, element: string): Decimal {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw required(element);
  return new Decimal(value);
}

function findByField(map: Map<string, Json>, field: string, value: string): Json | undefined {
  for (const entity of map.values()) if (entity[field] === value) return entity;
  return undefined;
}

function stamp(realm: Realm, body: Json, now: Date): Json {
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

function createCustomer(realm: Realm, body: Json, now: Date): Json {
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

function createItem(realm: Realm, body: Json, now: Date): Json {
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

function customerOf(realm: Realm, body: Json): Json {
  const id = refValue(body.CustomerRef);
  if (!id) throw required('CustomerRef');
  const customer = realm.entities.Customer.get(id);
  if (!customer) throw invalidRef('CustomerRef', 'Customer', id);
  return customer;
}

function checkCurrency(body: Json, customer: Json): string {
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

function createInvoice(realm: Realm, body: Json, now: Date): Json {
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

function createPayment(realm: Realm, body: Json, now: Date): Json {
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

const CREATORS: Record<SimEntity, (realm: Realm, body: Json, now: Date) => Json> = {
  Customer: createCustomer,
  Item: createItem,
  Invoice: createInvoice,
  Payment: createPayment,
};

/** Validates and stores one entity; answers like QuickBooks does (200 with the entity, or 400 Fault). */
export function createEntity(realm: Realm, entity: SimEntity, body: Json, now: Date): SimResult {
  const time = now.toISOString();
  try {
    const created = CREATORS[entity](realm, body, now);
    realm.entities[entity].set(created.Id as string, created);
    return { status: 200, body: { [entity]: structuredClone(created), time } };
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    const fault = { Message: error.message, Detail: error.detail, code: error.code, element: error.element };
    return { status: 400, body: faultBody('ValidationFault', [fault], time) };
  }
}
