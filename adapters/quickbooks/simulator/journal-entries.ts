/**
 * JournalEntry: at least two JournalEntryLineDetail lines, each Debit or Credit on an account of
 * the company's chart (an unknown AccountRef is refused as QuickBooks refuses an invalid
 * reference), an Entity that must be a known customer where given; debits must equal credits;
 * a currency other than the home one needs ExchangeRate.
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/journalentry
 */
import Decimal from 'decimal.js';
import type { Json, Realm } from './state.js';
import { amount, business, invalidRef, refValue, required, stamp, text } from './validation.js';

export function createJournalEntry(realm: Realm, body: Json, now: Date): Json {
  text(body, 'DocNumber', 21, false);
  const lines = body.Line;
  if (!Array.isArray(lines) || lines.length === 0) throw required('Line');
  let debits = new Decimal(0);
  let credits = new Decimal(0);
  const stored = lines.map((raw, index) => {
    const line = raw as Json;
    const detail = line.JournalEntryLineDetail as Json | undefined;
    if (line.DetailType !== 'JournalEntryLineDetail' || !detail) throw required('JournalEntryLineDetail');
    const lineAmount = amount(line.Amount, 'Amount');
    if (lineAmount.isNegative()) throw business('a journal line amount must not be negative', 'Amount');
    const account = refValue(detail.AccountRef);
    if (!account) throw required('AccountRef');
    if (!realm.chart.has(account)) throw invalidRef('AccountRef', 'Account', account);
    const entity = detail.Entity as Json | undefined;
    if (entity) {
      const customerId = refValue(entity.EntityRef);
      if (entity.Type !== 'Customer' || !customerId) throw required('Entity');
      if (!realm.entities.Customer.has(customerId)) throw invalidRef('Entity', 'Customer', customerId);
    }
    if (detail.PostingType === 'Debit') debits = debits.add(lineAmount);
    else if (detail.PostingType === 'Credit') credits = credits.add(lineAmount);
    else throw required('PostingType');
    return { Id: String(index), ...line };
  });
  if (!debits.equals(credits)) {
    // QuickBooks' words for an unbalanced journal.
    throw business(
      `Transaction is not balanced. Debits ${debits} and credits ${credits} must be equal`,
      'JournalEntryLineDetail',
    );
  }
  const currency = refValue(body.CurrencyRef) ?? realm.homeCurrency;
  if (currency !== realm.homeCurrency) {
    const rate = body.ExchangeRate;
    if (typeof rate !== 'number' || !(rate > 0)) throw required('ExchangeRate');
  }
  return stamp(realm, { ...body, CurrencyRef: { value: currency }, Line: stored, TotalAmt: debits.toNumber() }, now);
}
