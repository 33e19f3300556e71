/**
 * A hub ledger entry as the ERP journal it is posted as (journals mode): each line's hub account
 * code through the connection's account map, amounts in major units, receivable lines naming the
 * customer. An account without a mapping is not a failure of the entry: the job waits, paused,
 * until a person sets the mapping (PUT /api/v1/erp/settings), so the failure is a retryable one
 * flagged like a reconnect (src/domain/reconnect.ts), whose reason names every missing code.
 */
import type { ErpJournalLine, ErpJournalRequest } from '../adapters/ports.js';
import { erpAccountFor, missingMappingReason } from '../src/domain/books/erp-settings.js';
import { minorToMajor } from '../src/domain/money.js';
import { type Failure, type Outcome, ok, permanent } from '../src/domain/outcome.js';

export interface LedgerEntryForErp {
  id: string;
  memo: string;
  occurredAt: string;
  lines: { account: string; currency: string; debitMinor: number; creditMinor: number }[];
}

/** The account whose lines carry the customer (QuickBooks requires a Customer entity on A/R lines). */
export const RECEIVABLE_ACCOUNT = 'accounts_receivable';

/** Pauses the job (not dead) until the mapping is set; PUT /erp/settings lifts it. */
export function missingMapping(codes: readonly string[]): Failure {
  return { ok: false, kind: 'retryable', reason: missingMappingReason(codes), reconnect: true };
}

export const hasReceivableLine = (entry: LedgerEntryForErp) =>
  entry.lines.some((l) => l.account.split(':')[0] === RECEIVABLE_ACCOUNT);

export function toErpJournal(
  entry: LedgerEntryForErp,
  accountMap: Readonly<Record<string, string>>,
  customerExternalId: string | null,
): Outcome<ErpJournalRequest> {
  const currencies = [...new Set(entry.lines.map((l) => l.currency))];
  if (currencies.length !== 1) {
    return permanent(`ledger entry ${entry.id} has lines in ${currencies.join(', ')}: a journal has one currency`);
  }
  const currency = currencies[0]!;
  const missing = entry.lines.map((l) => l.account).filter((code) => erpAccountFor(accountMap, code) === undefined);
  if (missing.length > 0) return missingMapping(missing);
  const lines: ErpJournalLine[] = [];
  for (const line of entry.lines) {
    const receivable = line.account.split(':')[0] === RECEIVABLE_ACCOUNT;
    for (const [side, minor] of [
      ['debit', line.debitMinor],
      ['credit', line.creditMinor],
    ] as const) {
      if (minor === 0) continue;
      lines.push({
        accountExternalId: erpAccountFor(accountMap, line.account)!,
        side,
        amount: minorToMajor(minor, currency),
        description: `${entry.memo} (${line.account})`,
        ...(receivable && customerExternalId ? { customerExternalId } : {}),
      });
    }
  }
  return ok({
    entryRef: entry.id,
    date: entry.occurredAt.slice(0, 10),
    currency,
    memo: entry.memo,
    lines,
  });
}
