/**
 * PUT /ManualJournals: a Narration (the one field the spec requires), at least two lines on active
 * accounts, and lines that sum to zero (debits positive, credits negative), in the base currency.
 * https://developer.xero.com/documentation/api/accounting/manualjournals
 */
import { refuse } from './errors.js';
import { dec, num } from './money.js';
import { findAccount, type Json, newId, SIM_BASE_CURRENCY, type SimTenant } from './state.js';

export function createManualJournal(tenant: SimTenant, input: Json, now: Date): Json {
  const narration = typeof input.Narration === 'string' ? input.Narration : '';
  if (!narration) refuse('Narration must be specified.');
  const raw = Array.isArray(input.JournalLines) ? (input.JournalLines as Json[]) : [];
  if (raw.length < 2) refuse('A manual journal must have at least two lines.');
  let debits = dec(0);
  let credits = dec(0);
  const lines = raw.map((line) => {
    const account = findAccount(tenant, line);
    if (!account) refuse(`Account code '${String(line.AccountCode ?? line.AccountID ?? '')}' is not a valid code.`);
    const amount = dec(line.LineAmount);
    if (amount.isPositive()) debits = debits.add(amount);
    else credits = credits.add(amount.neg());
    return {
      AccountID: account!.AccountID,
      AccountCode: account!.Code,
      Description: String(line.Description ?? ''),
      LineAmount: num(amount, SIM_BASE_CURRENCY),
      TaxType: String(line.TaxType ?? 'NONE'),
    };
  });
  if (!debits.equals(credits)) {
    refuse(`The total debits (${debits.toFixed(2)}) must equal total credits (${credits.toFixed(2)})`);
  }
  const journal: Json = {
    ManualJournalID: newId(tenant),
    Narration: narration,
    Date: String(input.Date ?? now.toISOString().slice(0, 10)),
    Status: String(input.Status ?? 'DRAFT'),
    LineAmountTypes: String(input.LineAmountTypes ?? 'NoTax'),
    JournalLines: lines,
    UpdatedDateUTC: now.toISOString(),
  };
  tenant.objects.ManualJournals.set(journal.ManualJournalID as string, journal);
  return journal;
}
