/**
 * The simulator's Xero organisations (tenants), each with its contacts, items, invoices, credit
 * notes, payments and manual journals by id, its chart of accounts and currencies, its
 * idempotency keys and the send times its rate limits count; plus the OAuth tokens the identity
 * server issued. Created on first use, as a freshly connected demo company is. Only data lives
 * here, so a snapshot is the whole simulated Xero.
 */
import { IdempotencyCache } from '../../sandbox/idempotency.js';

export type Json = Record<string, unknown>;

export const COLLECTIONS = ['Contacts', 'Items', 'Invoices', 'CreditNotes', 'Payments', 'ManualJournals'] as const;
export type Collection = (typeof COLLECTIONS)[number];

export interface SimAccount {
  AccountID: string;
  Code: string;
  Name: string;
  Type: 'BANK' | 'REVENUE' | 'CURRENT' | 'LIABILITY' | 'EXPENSE' | 'EQUITY' | 'CURRLIAB';
  Status: 'ACTIVE' | 'ARCHIVED';
}

export interface SimTenant {
  readonly id: string;
  nextId: number;
  readonly objects: Record<Collection, Map<string, Json>>;
  readonly accounts: SimAccount[];
  readonly currencies: Set<string>;
  readonly idempotency: IdempotencyCache;
  /** Send times (ms) of the calls counted against the minute and the day, oldest first. */
  readonly calls: number[];
  inFlight: number;
  peakInFlight: number;
}

export interface XeroLimitsState {
  concurrent: number;
  perMinute: number;
  perDay: number;
}

export interface XeroSimulatorState {
  readonly tenants: Map<string, SimTenant>;
  /** Access token → expiry (ms since epoch; null never expires). */
  readonly accessTokens: Map<string, number | null>;
  /** Refresh tokens still usable (each works once: Xero rotates them). */
  readonly refreshTokens: Set<string>;
  nextToken: number;
  limits: XeroLimitsState;
  /** 429s answered, by X-Rate-Limit-Problem. */
  readonly rejections: Map<string, number>;
}

export const SIM_BASE_CURRENCY = 'USD';
/** Codes of the demo company's accounts the hub's sandbox connection points at. */
export const SIM_SALES_ACCOUNT = '200';
export const SIM_BANK_ACCOUNT = '090';
export const SIM_RECEIVABLE_ACCOUNT = '610';
export const SIM_DEFERRED_REVENUE_ACCOUNT = '820';
export const SIM_TAX_ACCOUNT = '825';

export function createXeroState(limits: XeroLimitsState): XeroSimulatorState {
  return {
    tenants: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Set(),
    nextToken: 1,
    limits,
    rejections: new Map(),
  };
}

/** A UUID-shaped id, counting up per tenant (Xero's ids are UUIDs). */
export function newId(tenant: SimTenant): string {
  tenant.nextId += 1;
  return `00000000-0000-4000-8000-${tenant.nextId.toString(16).padStart(12, '0')}`;
}

function account(tenantIndex: number, code: string, name: string, type: SimAccount['Type']): SimAccount {
  return {
    AccountID: `10000000-0000-4000-8000-${String(tenantIndex).padStart(4, '0')}${code.padStart(8, '0')}`,
    Code: code,
    Name: name,
    Type: type,
    Status: 'ACTIVE',
  };
}

/** The tenant, created as a fresh demo company on first use. */
export function tenantOf(state: XeroSimulatorState, id: string): SimTenant {
  let tenant = state.tenants.get(id);
  if (!tenant) {
    const index = state.tenants.size + 1;
    tenant = {
      id,
      nextId: 0,
      objects: Object.fromEntries(COLLECTIONS.map((c) => [c, new Map<string, Json>()])) as Record<
        Collection,
        Map<string, Json>
      >,
      accounts: [
        account(index, SIM_BANK_ACCOUNT, 'Business Bank Account', 'BANK'),
        account(index, '091', 'Stripe Clearing', 'BANK'),
        account(index, SIM_SALES_ACCOUNT, 'Sales', 'REVENUE'),
        account(index, '260', 'Other Revenue', 'REVENUE'),
        account(index, SIM_RECEIVABLE_ACCOUNT, 'Accounts Receivable', 'CURRENT'),
        account(index, SIM_DEFERRED_REVENUE_ACCOUNT, 'Deferred Revenue', 'CURRLIAB'),
        account(index, SIM_TAX_ACCOUNT, 'Sales Tax', 'CURRLIAB'),
        account(index, '404', 'Bank Fees', 'EXPENSE'),
      ],
      currencies: new Set([SIM_BASE_CURRENCY, 'EUR', 'GBP', 'CAD', 'AUD', 'NZD', 'JPY']),
      idempotency: new IdempotencyCache(),
      calls: [],
      inFlight: 0,
      peakInFlight: 0,
    };
    state.tenants.set(id, tenant);
  }
  return tenant;
}

/** An account by Code or AccountID. */
export function findAccount(tenant: SimTenant, ref: { Code?: unknown; AccountCode?: unknown; AccountID?: unknown }) {
  const code = ref.Code ?? ref.AccountCode;
  return tenant.accounts.find(
    (a) => a.Status === 'ACTIVE' && ((code !== undefined && a.Code === code) || a.AccountID === ref.AccountID),
  );
}

export function countOf(state: XeroSimulatorState, tenantId: string, collection: Collection): number {
  return state.tenants.get(tenantId)?.objects[collection].size ?? 0;
}

/** An object by collection and id (a copy), for tests' verdicts. */
export function objectOf(
  state: XeroSimulatorState,
  tenantId: string,
  collection: Collection,
  id: string,
): Json | undefined {
  const found = state.tenants.get(tenantId)?.objects[collection].get(id);
  return found ? structuredClone(found) : undefined;
}
