/**
 * The chart of accounts: the default one every org starts with, and the rules for editing it.
 * A ledger line names its account by `code`. Sub-accounts (revenue per product family, tax per
 * jurisdiction, cash per provider and currency) are `parent:part[:part]` codes and inherit the
 * parent's type, so reports can roll them up by the part before the first colon.
 */

export const ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'revenue', 'contra_revenue', 'expense'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export interface AccountDefinition {
  code: string;
  name: string;
  type: AccountType;
}

/** The accounts the hub posts to by itself (src/domain/ledger.ts); each stays active. */
export const SYSTEM_ACCOUNTS = [
  'accounts_receivable',
  'deferred_revenue',
  'revenue',
  'tax_payable',
  'cash',
  'payment_fees',
  'customer_credit',
  'bad_debt',
  'rounding_difference',
  'disputed_funds',
] as const;

export const DEFAULT_CHART: readonly AccountDefinition[] = [
  { code: 'accounts_receivable', name: 'Accounts receivable', type: 'asset' },
  { code: 'unbilled_receivables', name: 'Unbilled receivables', type: 'asset' },
  { code: 'cash', name: 'Cash and clearing (payment providers)', type: 'asset' },
  // Held back by a payment provider while a chargeback is open (src/domain/ledger.ts disputeEntry).
  { code: 'disputed_funds', name: 'Disputed funds (chargebacks open)', type: 'asset' },
  { code: 'deferred_revenue', name: 'Deferred revenue', type: 'liability' },
  { code: 'tax_payable', name: 'Sales tax payable', type: 'liability' },
  { code: 'customer_credit', name: 'Customer credit', type: 'liability' },
  { code: 'revenue', name: 'Revenue', type: 'revenue' },
  { code: 'discounts', name: 'Discounts', type: 'contra_revenue' },
  { code: 'payment_fees', name: 'Payment provider fees', type: 'expense' },
  { code: 'bad_debt', name: 'Bad debt', type: 'expense' },
  // Cash and payment-provider rounding of grand totals (src/domain/payable.ts); a credit when rounded up.
  { code: 'rounding_difference', name: 'Rounding differences', type: 'expense' },
];

const CODE = /^[a-z][a-z0-9_]{1,39}(:[A-Za-z0-9_.-]{1,40}){0,2}$/;

/** The account a code rolls up to: `revenue:hardware` → `revenue`. */
export const parentCode = (code: string): string => code.split(':')[0]!;

export const isSystemAccount = (code: string): boolean => (SYSTEM_ACCOUNTS as readonly string[]).includes(code);

export type AccountIssue = { field: string; message: string };

/**
 * Checks a new account against the chart it joins: a well-formed code not yet taken, and for a
 * sub-account an existing parent whose type it must share (type defaults to the parent's).
 */
export function checkNewAccount(
  chart: readonly AccountDefinition[],
  input: { code: string; name: string; type?: AccountType },
): { ok: true; account: AccountDefinition } | { ok: false; status: 409 | 422; issues: AccountIssue[] } {
  if (!CODE.test(input.code)) {
    return {
      ok: false,
      status: 422,
      issues: [
        { field: 'code', message: 'must be lower_snake_case, optionally with up to two :parts (revenue:hardware)' },
      ],
    };
  }
  if (chart.some((a) => a.code === input.code)) {
    return { ok: false, status: 409, issues: [{ field: 'code', message: `account ${input.code} already exists` }] };
  }
  const parent = input.code.includes(':') ? chart.find((a) => a.code === parentCode(input.code)) : undefined;
  if (input.code.includes(':') && !parent) {
    return {
      ok: false,
      status: 422,
      issues: [{ field: 'code', message: `parent account ${parentCode(input.code)} is not in the chart` }],
    };
  }
  const type = input.type ?? parent?.type;
  if (!type)
    return { ok: false, status: 422, issues: [{ field: 'type', message: 'is required for a top-level account' }] };
  if (parent && type !== parent.type) {
    return {
      ok: false,
      status: 422,
      issues: [{ field: 'type', message: `must be ${parent.type}, the type of ${parent.code}` }],
    };
  }
  return { ok: true, account: { code: input.code, name: input.name, type } };
}

/** Whether a debit raises the account's balance (assets, expenses, contra revenue) or a credit does. */
export const isDebitNormal = (type: AccountType): boolean =>
  type === 'asset' || type === 'expense' || type === 'contra_revenue';
