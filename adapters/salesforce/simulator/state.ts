/**
 * The simulator's org: its records (the fields Salesforce derives: Amount from line items, IsWon
 * from the stage, SystemModstamp on every change), and the sessions, tokens and counters every
 * route file shares. Runtime-neutral: no node: imports.
 */
import Decimal from 'decimal.js';
import { makeId, sameId } from '../ids.js';
import { CUSTOM_FIELD, CUSTOM_FIELD_OBJECTS, SCHEMA, type SObjectRecord } from './schema.js';

/** Salesforce's datetime format: 2026-01-15T10:00:00.000+0000. */
export function sfDateTime(at: Date): string {
  return at.toISOString().replace('Z', '+0000');
}

export interface StoreOptions {
  now: () => Date;
  /** A single-currency org has no CurrencyIsoCode field on any object. */
  multiCurrency: boolean;
  corporateCurrency: string;
}

export class SObjectStore {
  private readonly tables = new Map<string, Map<string, SObjectRecord>>();
  private counter = 0;

  constructor(readonly options: StoreOptions) {
    for (const type of Object.keys(SCHEMA)) this.tables.set(type, new Map());
  }

  /** The fields an object has in this org (single-currency orgs lack CurrencyIsoCode). */
  fieldsOf(type: string): string[] {
    const schema = SCHEMA[type];
    if (!schema) return [];
    return this.options.multiCurrency ? schema.fields : schema.fields.filter((f) => f !== 'CurrencyIsoCode');
  }

  /**
   * The canonical spelling of a field (SOQL and the REST API are case-insensitive), or undefined.
   * Custom fields end in `__c` in Salesforce and exist only once an admin creates them; the
   * simulated org has the hub's write-back fields on Opportunity and Account (see
   * CUSTOM_FIELD), so other custom names (`Colour__c`) are still refused as in a real org.
   */
  resolveField(type: string, name: string): string | undefined {
    const lower = name.toLowerCase();
    const standard = this.fieldsOf(type).find((f) => f.toLowerCase() === lower);
    if (standard) return standard;
    return CUSTOM_FIELD_OBJECTS.includes(type) && CUSTOM_FIELD.test(name) ? name : undefined;
  }

  all(type: string): SObjectRecord[] {
    return [...(this.tables.get(type)?.values() ?? [])];
  }

  get(type: string, id: string): SObjectRecord | undefined {
    const table = this.tables.get(type);
    if (!table) return undefined;
    for (const [key, record] of table) if (sameId(key, id)) return record;
    return undefined;
  }

  count(type: string): number {
    return this.tables.get(type)?.size ?? 0;
  }

  nextId(keyPrefix: string): string {
    this.counter += 1;
    return makeId(keyPrefix, this.counter);
  }

  insert(type: string, values: SObjectRecord): SObjectRecord {
    const schema = SCHEMA[type];
    const stamp = sfDateTime(this.options.now());
    const record: SObjectRecord = {};
    for (const field of this.fieldsOf(type)) record[field] = null;
    Object.assign(record, values, {
      Id: this.nextId(schema.keyPrefix),
      CreatedDate: stamp,
      LastModifiedDate: stamp,
      SystemModstamp: stamp,
    });
    if (this.options.multiCurrency && 'CurrencyIsoCode' in record && record.CurrencyIsoCode === null) {
      record.CurrencyIsoCode = this.options.corporateCurrency;
    }
    if (!this.options.multiCurrency) delete record.CurrencyIsoCode;
    this.tables.get(type)?.set(record.Id as string, record);
    this.derive(type, record);
    return record;
  }

  update(type: string, id: string, values: SObjectRecord): SObjectRecord | undefined {
    const record = this.get(type, id);
    if (!record) return undefined;
    const stamp = sfDateTime(this.options.now());
    Object.assign(record, values, { LastModifiedDate: stamp, SystemModstamp: stamp });
    this.derive(type, record);
    return record;
  }

  /** Fields Salesforce computes; a line item change also touches its opportunity. */
  private derive(type: string, record: SObjectRecord): void {
    if (type === 'Contact') {
      record.Name = [record.FirstName, record.LastName].filter((p) => typeof p === 'string' && p !== '').join(' ');
    }
    if (type === 'OpportunityContactRole' && record.IsPrimary === true) {
      // An opportunity has at most one primary contact role: setting one clears the others.
      for (const other of this.all('OpportunityContactRole')) {
        if (other !== record && sameId(String(other.OpportunityId), String(record.OpportunityId))) {
          other.IsPrimary = false;
        }
      }
    }
    if (type === 'Opportunity') {
      const stage = String(record.StageName ?? '');
      record.IsClosed = stage.startsWith('Closed');
      record.IsWon = stage === 'Closed Won';
      const lines = this.all('OpportunityLineItem').filter((l) => sameId(String(l.OpportunityId), String(record.Id)));
      record.HasOpportunityLineItem = lines.length > 0;
      if (lines.length > 0) {
        record.Amount = lines
          .reduce((sum, l) => sum.add(new Decimal(l.TotalPrice as number)), new Decimal(0))
          .toNumber();
      }
    }
    if (type === 'OpportunityLineItem') {
      record.TotalPrice = new Decimal(record.Quantity as number)
        .mul(new Decimal(record.UnitPrice as number))
        .toNumber();
      const opportunity = this.get('Opportunity', String(record.OpportunityId));
      if (opportunity) {
        opportunity.LastModifiedDate = record.LastModifiedDate;
        opportunity.SystemModstamp = record.SystemModstamp;
        this.derive('Opportunity', opportunity);
      }
    }
  }
}

export interface SalesforceSimulatorOptions {
  organizationId?: string;
  now?: () => Date;
  /** false: a single-currency org, where no object has CurrencyIsoCode (default true). */
  multiCurrency?: boolean;
  /** The org's corporate currency (default USD). */
  corporateCurrency?: string;
  /** Daily API request allocation (default 100 000). */
  apiRequestLimit?: number;
  /** Instance URL written into outbound messages (the app itself answers on any host). */
  instanceUrl?: string;
}

/** Everything the route and seed files share: one org, its records, its sessions. */
export interface SalesforceSim {
  readonly options: SalesforceSimulatorOptions;
  readonly now: () => Date;
  readonly organizationId: string;
  readonly userId: string;
  readonly store: SObjectStore;
  readonly standardPricebookId: string;
  /** The connected app and the session the simulator starts with. */
  readonly credentials: { accessToken: string; refreshToken: string; clientId: string; clientSecret: string };
  /** What tests read: sessions, the API allocation, and every accepted update. */
  readonly state: ReturnType<typeof initialState>;
  /** Sequence numbers behind the ids and tokens, so every run issues the same ones. */
  readonly counters: { token: number; code: number; notification: number; quote: number };
  /** A new access token (not yet accepted: the caller adds it to state.accessTokens). */
  issueToken(): string;
}

function initialState(
  organizationId: string,
  store: SObjectStore,
  accessToken: string,
  refreshToken: string,
  apiRequestLimit: number,
) {
  return {
    organizationId,
    store,
    /** Access tokens the API accepts. */
    accessTokens: new Set([accessToken]),
    refreshTokens: new Set([refreshToken]),
    api: { max: apiRequestLimit, used: 0 },
    /** Number of access tokens issued through the refresh grant. */
    refreshes: 0,
    /** Authorization codes not yet exchanged (single use), with the redirect URI they were issued for. */
    authorizationCodes: new Map<string, { clientId: string; redirectUri: string }>(),
    /** Connected-app certificates for the JWT bearer flow: client id → SPKI public key. */
    jwtPublicKeys: new Map<string, Uint8Array>(),
    /** Every accepted record update (PATCH), in order: what a test counts writes by. */
    updates: [] as { type: string; id: string; values: SObjectRecord }[],
  };
}

export function createSalesforceSim(options: SalesforceSimulatorOptions): SalesforceSim {
  const now = options.now ?? (() => new Date());
  const organizationId = options.organizationId ?? makeId('00D', 1);
  const store = new SObjectStore({
    now,
    multiCurrency: options.multiCurrency ?? true,
    corporateCurrency: options.corporateCurrency ?? 'USD',
  });
  // Inserted first, so the standard price book has the org's first record id in every run.
  const standardPricebook = store.insert('Pricebook2', {
    Name: 'Standard Price Book',
    IsActive: true,
    IsStandard: true,
  });
  const counters = { token: 0, code: 0, notification: 0, quote: 0 };
  const issueToken = () => `${organizationId.slice(0, 15)}!SIM.access.${++counters.token}`;
  const credentials = {
    accessToken: issueToken(),
    refreshToken: `5Aep861SIM.refresh.${organizationId.slice(0, 15)}`,
    clientId: '3MVG9SIM.consumer.key',
    clientSecret: 'SIM-consumer-secret',
  };
  return {
    options,
    now,
    organizationId,
    userId: makeId('005', 1),
    store,
    standardPricebookId: String(standardPricebook.Id),
    credentials,
    state: initialState(
      organizationId,
      store,
      credentials.accessToken,
      credentials.refreshToken,
      options.apiRequestLimit ?? 100_000,
    ),
    counters,
    issueToken,
  };
}
