/**
 * The simulator's companies (realms): each with its own entities, ids, income accounts and
 * requestid replay cache, created empty on first use as a fresh sandbox company is.
 */
import { IdempotencyCache } from '../../sandbox/idempotency.js';

export type Json = Record<string, unknown>;
export type SimEntity = 'Customer' | 'Item' | 'Invoice' | 'Payment' | 'CreditMemo' | 'RefundReceipt' | 'JournalEntry';

export interface Realm {
  readonly id: string;
  nextId: number;
  readonly entities: Record<SimEntity, Map<string, Json>>;
  /** Income account ids that IncomeAccountRef may point at. */
  readonly accounts: Set<string>;
  /** Every account id of the company's chart (journal lines, a refund's DepositToAccountRef). */
  readonly chart: Set<string>;
  /** The company's home currency: a journal in another one needs ExchangeRate. */
  readonly homeCurrency: string;
  /** requestid → original response, per realm as Intuit scopes it. */
  readonly requests: IdempotencyCache;
}

/** The entity a path segment names (/v3/company/{realmId}/{entity}), case-insensitively. */
export const ENTITY_BY_PATH: Record<string, SimEntity> = {
  customer: 'Customer',
  item: 'Item',
  invoice: 'Invoice',
  payment: 'Payment',
  creditmemo: 'CreditMemo',
  refundreceipt: 'RefundReceipt',
  journalentry: 'JournalEntry',
};

export interface QuickBooksSimulatorOptions {
  now?: () => Date;
  /** When set, only this Bearer token is accepted; by default any non-empty Bearer token is. */
  accessToken?: string;
  /** Income account ids every realm starts with (Item.IncomeAccountRef must be one). Default ['1', '79']. */
  incomeAccountIds?: string[];
  /**
   * Account ids of every realm's chart, beside the income accounts (journal lines and refunds must
   * name one). Default '1'..'99', as a fresh sandbox company numbers its accounts.
   */
  accountIds?: string[];
  /** Home currency of every realm (default USD). */
  homeCurrency?: string;
}

export interface QuickBooksSimulatorState {
  readonly realms: Map<string, Realm>;
  /** The realm, created empty on first use (a fresh sandbox company). */
  realm(realmId: string): Realm;
  /** How many objects of `entity` the realm holds (0 for an unknown realm). */
  count(realmId: string, entity: SimEntity): number;
  /** A stored object by Id (a copy), or undefined. */
  get(realmId: string, entity: SimEntity, id: string): Json | undefined;
  /** Tokens answered with 401 from now on (an access token that expired mid-sync). */
  readonly expiredTokens: Set<string>;
}

export function createQuickBooksState(options: QuickBooksSimulatorOptions): QuickBooksSimulatorState {
  const accounts = options.incomeAccountIds ?? ['1', '79'];
  const chart = options.accountIds ?? Array.from({ length: 99 }, (_, i) => String(i + 1));
  const realms = new Map<string, Realm>();
  return {
    realms,
    expiredTokens: new Set<string>(),
    realm(realmId) {
      let realm = realms.get(realmId);
      if (realm) backfill(realm, chart, options.homeCurrency ?? 'USD');
      if (!realm) {
        realm = {
          id: realmId,
          nextId: 1,
          entities: {
            Customer: new Map(),
            Item: new Map(),
            Invoice: new Map(),
            Payment: new Map(),
            CreditMemo: new Map(),
            RefundReceipt: new Map(),
            JournalEntry: new Map(),
          },
          accounts: new Set(accounts),
          chart: new Set([...chart, ...accounts]),
          homeCurrency: options.homeCurrency ?? 'USD',
          requests: new IdempotencyCache(),
        };
        realms.set(realmId, realm);
      }
      return realm;
    },
    count: (realmId, entity) => realms.get(realmId)?.entities[entity]?.size ?? 0,
    get(realmId, entity, id) {
      const found = realms.get(realmId)?.entities[entity]?.get(id);
      return found ? structuredClone(found) : undefined;
    },
  };
}

/**
 * A realm restored from a state file written before RefundReceipt and JournalEntry existed
 * (adapters/sandbox/persist.ts) gets their empty maps, the default chart and home currency.
 */
function backfill(realm: Realm, chart: readonly string[], homeCurrency: string): void {
  const loose = realm as unknown as Record<string, unknown> & {
    entities: Record<string, Map<string, Json> | undefined>;
  };
  loose.entities.RefundReceipt ??= new Map();
  loose.entities.JournalEntry ??= new Map();
  loose.chart ??= new Set([...chart, ...realm.accounts]);
  loose.homeCurrency ??= homeCurrency;
}
