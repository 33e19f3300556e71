/**
 * The simulator's NetSuite accounts, each with its records by internal id, its external-id index
 * (the upsert key), its currencies and exchange rates, and its GL accounts; created on first use
 * as a fresh sandbox account is. Only data lives here, so a snapshot is the whole account.
 */

export type Json = Record<string, unknown>;

/** Record types the simulator serves, by their lower-case REST id (NetSuite reads them case-insensitively). */
export const RECORD_TYPES = [
  'customer',
  'servicesaleitem',
  'invoice',
  'customerpayment',
  'creditmemo',
  'customerrefund',
  'journalentry',
] as const;
export type SimRecordType = (typeof RECORD_TYPES)[number];

export interface SimAccount {
  readonly id: string;
  nextId: number;
  readonly records: Record<SimRecordType, Map<string, Json>>;
  /** externalId → internal id, per record type. */
  readonly externalIds: Record<SimRecordType, Map<string, string>>;
  /** NetSuite currency internal id → ISO code; the account's base currency is USD (id 1). */
  readonly currencies: Map<string, string>;
  /** Units of the base currency per unit of a foreign one (the account's exchange rate table). */
  readonly rates: Map<string, string>;
  /** GL account ids (income, bank, receivable, ...) references may point at. */
  readonly glAccounts: Set<string>;
  /** Item ids every account holds beside the hub's items (the tax item). */
  readonly fixedItems: Set<string>;
}

export interface NetSuiteSimulatorState {
  readonly accounts: Map<string, SimAccount>;
  /** Token ids answered with 401 from now on (a token revoked). */
  readonly revokedTokens: Set<string>;
  /** Requests an account serves at once; more are refused with CONCURRENCY_LIMIT_EXCEEDED. */
  concurrencyLimit: number;
  /** Peak requests in flight per account, and how many were refused for the limit. */
  readonly peakInFlight: Map<string, number>;
  concurrencyRejections: number;
}

export const BASE_CURRENCY = 'USD';
export const SIM_TAX_ITEM_ID = '9001';
export const SIM_INCOME_ACCOUNT_ID = '54';
export const SIM_BANK_ACCOUNT_ID = '1';

export function createNetSuiteState(concurrencyLimit = 5): NetSuiteSimulatorState {
  return {
    accounts: new Map(),
    revokedTokens: new Set(),
    concurrencyLimit,
    peakInFlight: new Map(),
    concurrencyRejections: 0,
  };
}

const emptyByType = <T>(make: () => T) =>
  Object.fromEntries(RECORD_TYPES.map((t) => [t, make()])) as Record<SimRecordType, T>;

/** The account (by realm, upper case), created empty on first use. */
export function accountOf(state: NetSuiteSimulatorState, realm: string): SimAccount {
  const id = realm.toUpperCase();
  let account = state.accounts.get(id);
  if (!account) {
    account = {
      id,
      nextId: 100,
      records: emptyByType(() => new Map<string, Json>()),
      externalIds: emptyByType(() => new Map<string, string>()),
      currencies: new Map([
        ['1', 'USD'],
        ['2', 'GBP'],
        ['3', 'CAD'],
        ['4', 'EUR'],
      ]),
      rates: new Map([
        ['USD', '1'],
        ['GBP', '1.27'],
        ['CAD', '0.73'],
        ['EUR', '1.08'],
      ]),
      glAccounts: new Set([SIM_BANK_ACCOUNT_ID, '6', '7', SIM_INCOME_ACCOUNT_ID, '120', '220', '300']),
      fixedItems: new Set([SIM_TAX_ITEM_ID]),
    };
    state.accounts.set(id, account);
  }
  return account;
}

/** A record by type and internal id (a copy), for tests' verdicts. */
export function recordOf(
  state: NetSuiteSimulatorState,
  realm: string,
  type: SimRecordType,
  id: string,
): Json | undefined {
  const found = state.accounts.get(realm.toUpperCase())?.records[type].get(id);
  return found ? structuredClone(found) : undefined;
}

export function countOf(state: NetSuiteSimulatorState, realm: string, type: SimRecordType): number {
  return state.accounts.get(realm.toUpperCase())?.records[type].size ?? 0;
}
