/**
 * The trial balance: every account's debits and credits per currency, and the totals per
 * currency, which are equal when the books balance (each entry balances on its own, so a
 * difference here means a line was lost or written outside an entry).
 */
import { type AccountType, isDebitNormal } from './chart-of-accounts.js';

export interface PostedLine {
  account: string;
  currency: string;
  debitMinor: number;
  creditMinor: number;
}

export interface AccountBalance {
  account: string;
  name: string | null;
  type: AccountType | null;
  currency: string;
  debitMinor: number;
  creditMinor: number;
  /** On the account's normal side: debit − credit for assets and expenses, credit − debit otherwise. */
  balanceMinor: number;
}

export interface TrialBalance {
  currencyTotals: { currency: string; debitMinor: number; creditMinor: number }[];
  accounts: AccountBalance[];
  balanced: boolean;
}

export function trialBalance(
  lines: readonly PostedLine[],
  chart: ReadonlyMap<string, { name: string; type: AccountType }>,
): TrialBalance {
  const byAccount = new Map<string, { account: string; currency: string; debitMinor: number; creditMinor: number }>();
  const byCurrency = new Map<string, { currency: string; debitMinor: number; creditMinor: number }>();
  for (const l of lines) {
    const key = `${l.account}\u0000${l.currency}`;
    const a = byAccount.get(key) ?? { account: l.account, currency: l.currency, debitMinor: 0, creditMinor: 0 };
    a.debitMinor += l.debitMinor;
    a.creditMinor += l.creditMinor;
    byAccount.set(key, a);
    const c = byCurrency.get(l.currency) ?? { currency: l.currency, debitMinor: 0, creditMinor: 0 };
    c.debitMinor += l.debitMinor;
    c.creditMinor += l.creditMinor;
    byCurrency.set(l.currency, c);
  }
  const accounts = [...byAccount.values()]
    .sort((x, y) => x.account.localeCompare(y.account) || x.currency.localeCompare(y.currency))
    .map((a) => {
      const def = chart.get(a.account) ?? chart.get(a.account.split(':')[0]!);
      const debitNormal = def ? isDebitNormal(def.type) : true;
      return {
        ...a,
        name: chart.get(a.account)?.name ?? null,
        type: def?.type ?? null,
        balanceMinor: debitNormal ? a.debitMinor - a.creditMinor : a.creditMinor - a.debitMinor,
      };
    });
  const currencyTotals = [...byCurrency.values()].sort((x, y) => x.currency.localeCompare(y.currency));
  return { currencyTotals, accounts, balanced: currencyTotals.every((c) => c.debitMinor === c.creditMinor) };
}
