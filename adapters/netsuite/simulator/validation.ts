/**
 * What each record type requires before the simulator stores it, and what storing it does to
 * the others (a payment lowers the invoice's amount remaining), with NetSuite's error codes:
 * INVALID_KEY_OR_REF for a reference to nothing, USER_ERROR for a business rule,
 * INVALID_CONTENT for a malformed field.
 */
import Decimal from 'decimal.js';
import { SimValidationError } from './errors.js';
import { BASE_CURRENCY, type Json, type SimAccount, type SimRecordType } from './state.js';

const refId = (value: unknown): string | undefined => {
  const id = (value as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
};

const itemsOf = (value: unknown): Json[] => {
  const items = (value as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? (items as Json[]) : [];
};

function need(condition: unknown, code: string, detail: string, path: string): asserts condition {
  if (!condition) throw new SimValidationError(code, detail, path);
}

function amount(value: unknown, path: string): Decimal {
  need(typeof value === 'number' && Number.isFinite(value), 'INVALID_CONTENT', `Invalid number for ${path}.`, path);
  return new Decimal(value as number);
}

function currencyCode(account: SimAccount, record: Json, path = 'currency'): string {
  const id = refId(record.currency);
  const code = id ? account.currencies.get(id) : undefined;
  need(code, 'INVALID_KEY_OR_REF', `Invalid currency reference key ${id ?? ''}.`, path);
  return code;
}

function existing(account: SimAccount, type: SimRecordType, value: unknown, path: string): Json {
  const id = refId(value);
  const found = id ? account.records[type].get(id) : undefined;
  need(found, 'INVALID_KEY_OR_REF', `Invalid ${path} reference key ${id ?? ''}.`, path);
  return found;
}

/** The rate a transaction in `code` is booked at: the one sent, else the account's table. */
function exchangeRate(account: SimAccount, record: Json, code: string): number {
  if (record.exchangeRate !== undefined) {
    const rate = amount(record.exchangeRate, 'exchangeRate');
    need(rate.gt(0), 'INVALID_CONTENT', 'Exchange rate must be positive.', 'exchangeRate');
    need(code !== BASE_CURRENCY || rate.eq(1), 'USER_ERROR', 'The base currency is booked at rate 1.', 'exchangeRate');
    return rate.toNumber();
  }
  return Number(account.rates.get(code) ?? '1');
}

/** Invoices and credit memos: customer, currency, item lines; derives total and exchange rate. */
function checkSalesDocument(account: SimAccount, record: Json, previous: Json | undefined): void {
  need(typeof record.tranDate === 'string', 'USER_ERROR', 'Please enter value(s) for: Date.', 'tranDate');
  const customer = existing(account, 'customer', record.entity, 'entity');
  const code = currencyCode(account, record);
  const customerCode = currencyCode(account, customer);
  need(code === customerCode, 'USER_ERROR', `The customer's currency is ${customerCode}, not ${code}.`, 'currency');
  const lines = itemsOf(record.item);
  need(lines.length > 0, 'USER_ERROR', 'You must enter at least one line item for this transaction.', 'item');
  let total = new Decimal(0);
  lines.forEach((line, index) => {
    const id = refId(line.item);
    const known = id !== undefined && (account.records.servicesaleitem.has(id) || account.fixedItems.has(id));
    need(known, 'INVALID_KEY_OR_REF', `Invalid item reference key ${id ?? ''}.`, `item.items[${index}].item`);
    total = total.add(amount(line.amount, `item.items[${index}].amount`));
  });
  const paid = new Decimal((previous?.amountPaid as number | undefined) ?? 0);
  need(total.gte(paid), 'USER_ERROR', 'The total cannot be less than the amount already paid.', 'item');
  record.total = total.toNumber();
  record.amountPaid = paid.toNumber();
  record.amountRemaining = total.sub(paid).toNumber();
  record.exchangeRate = exchangeRate(account, record, code);
  record.status = record.amountRemaining === 0 && paid.gt(0) ? 'Paid In Full' : 'Open';
}

/** Applies (sign +1) or takes back (sign -1) a payment's or refund's applications to their documents. */
function applyTo(account: SimAccount, record: Json, docType: SimRecordType[], sign: 1 | -1): void {
  itemsOf(record.apply).forEach((line, index) => {
    if (line.apply === false) return;
    const id = refId(line.doc);
    const type = docType.find((t) => id !== undefined && account.records[t].has(id));
    need(type && id, 'INVALID_KEY_OR_REF', `Invalid doc reference key ${id ?? ''}.`, `apply.items[${index}].doc`);
    const doc = account.records[type].get(id)!;
    const applied = amount(line.amount, `apply.items[${index}].amount`).mul(sign);
    if (type === 'invoice') {
      const remaining = new Decimal(doc.amountRemaining as number).sub(applied);
      need(
        remaining.gte(0),
        'USER_ERROR',
        'The amount applied exceeds the amount due.',
        `apply.items[${index}].amount`,
      );
      doc.amountRemaining = remaining.toNumber();
      doc.amountPaid = new Decimal(doc.amountPaid as number).add(applied).toNumber();
      doc.status = remaining.eq(0) ? 'Paid In Full' : 'Open';
    } else {
      const unapplied = new Decimal((doc.unapplied as number | undefined) ?? (doc.total as number)).sub(applied);
      need(
        unapplied.gte(0),
        'USER_ERROR',
        'The amount refunded exceeds the credit available.',
        `apply.items[${index}].amount`,
      );
      doc.unapplied = unapplied.toNumber();
    }
  });
}

/**
 * Checks `record` (the body of an upsert, merged over `previous` when the external id already has
 * a record) and applies its effects. Throws SimValidationError; nothing is changed when it does
 * (the caller applies to a copy).
 */
export function validateRecord(account: SimAccount, type: SimRecordType, record: Json, previous?: Json): void {
  switch (type) {
    case 'customer': {
      need(
        typeof record.companyName === 'string' && record.companyName,
        'USER_ERROR',
        'Please enter value(s) for: Company Name.',
        'companyName',
      );
      currencyCode(account, record);
      return;
    }
    case 'servicesaleitem': {
      need(
        typeof record.itemId === 'string' && record.itemId,
        'USER_ERROR',
        'Please enter value(s) for: Item Name/Number.',
        'itemId',
      );
      const income = refId(record.incomeAccount);
      need(
        income && account.glAccounts.has(income),
        'INVALID_KEY_OR_REF',
        `Invalid incomeAccount reference key ${income ?? ''}.`,
        'incomeAccount',
      );
      for (const [id, other] of account.records.servicesaleitem) {
        const same = other.itemId === record.itemId && id !== record.id;
        need(!same, 'USER_ERROR', 'The item name you have chosen is already used.', 'itemId');
      }
      return;
    }
    case 'invoice':
    case 'creditmemo':
      checkSalesDocument(account, record, previous);
      if (type === 'creditmemo') record.unapplied = previous?.unapplied ?? record.total;
      return;
    case 'customerpayment': {
      const customer = existing(account, 'customer', record.customer, 'customer');
      need(
        currencyCode(account, record) === currencyCode(account, customer),
        'USER_ERROR',
        "The payment is not in the customer's currency.",
        'currency',
      );
      amount(record.payment, 'payment');
      if (previous) applyTo(account, previous, ['invoice'], -1);
      applyTo(account, record, ['invoice'], 1);
      record.exchangeRate = exchangeRate(account, record, currencyCode(account, record));
      return;
    }
    case 'customerrefund': {
      existing(account, 'customer', record.customer, 'customer');
      const bank = refId(record.account);
      need(
        bank && account.glAccounts.has(bank),
        'INVALID_KEY_OR_REF',
        `Invalid account reference key ${bank ?? ''}.`,
        'account',
      );
      currencyCode(account, record);
      if (previous) applyTo(account, previous, ['creditmemo', 'customerpayment'], -1);
      applyTo(account, record, ['creditmemo', 'customerpayment'], 1);
      return;
    }
    case 'journalentry': {
      need(typeof record.tranDate === 'string', 'USER_ERROR', 'Please enter value(s) for: Date.', 'tranDate');
      const code = currencyCode(account, record);
      const lines = itemsOf(record.line);
      need(lines.length >= 2, 'USER_ERROR', 'A journal entry needs at least two lines.', 'line');
      let debit = new Decimal(0);
      let credit = new Decimal(0);
      lines.forEach((line, index) => {
        const id = refId(line.account);
        need(
          id && account.glAccounts.has(id),
          'INVALID_KEY_OR_REF',
          `Invalid account reference key ${id ?? ''}.`,
          `line.items[${index}].account`,
        );
        if (line.debit !== undefined) debit = debit.add(amount(line.debit, `line.items[${index}].debit`));
        if (line.credit !== undefined) credit = credit.add(amount(line.credit, `line.items[${index}].credit`));
        if (line.entity !== undefined) existing(account, 'customer', line.entity, `line.items[${index}].entity`);
      });
      need(debit.eq(credit), 'USER_ERROR', 'The debit and credit totals must be equal.', 'line');
      record.exchangeRate = exchangeRate(account, record, code);
      return;
    }
  }
}
