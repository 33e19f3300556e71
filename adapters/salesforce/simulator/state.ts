/**
 * The simulator's org: a few standard objects with their real key prefixes, fields and
 * relationships, and the fields Salesforce derives (Amount from line items, IsWon from the
 * stage, SystemModstamp on every change). Runtime-neutral: no node: imports.
 * Object reference: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/
 */
import Decimal from 'decimal.js';
import { makeId, sameId } from '../ids.js';

export type FieldValue = string | number | boolean | null;
export type SObjectRecord = Record<string, FieldValue>;

export interface ObjectSchema {
  keyPrefix: string;
  fields: string[];
  /** Fields the API rejects in a create or update body. */
  readOnly: string[];
  /** Lookup relationships: relationship name → id field and target type. */
  parents: Record<string, { field: string; type: string }>;
  /** Child relationships: relationship name → child type and its lookup field. */
  children: Record<string, { type: string; field: string }>;
}

const SYSTEM_FIELDS = ['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'];
/**
 * Custom fields the simulated org has: any `Hub_<Name>__c` (the hub's write-back fields, e.g.
 * Hub_Billing_Status__c) on the objects a write-back targets.
 */
export const CUSTOM_FIELD = /^Hub_[A-Za-z0-9_]+__c$/;
const CUSTOM_FIELD_OBJECTS = ['Opportunity', 'Account'];

export const SCHEMA: Record<string, ObjectSchema> = {
  Account: {
    keyPrefix: '001',
    fields: [
      ...SYSTEM_FIELDS,
      'Name',
      'BillingStreet',
      'BillingCity',
      'BillingState',
      'BillingPostalCode',
      'BillingCountry',
      'Phone',
      'Website',
      'Type',
      'CurrencyIsoCode',
    ],
    readOnly: SYSTEM_FIELDS,
    parents: {},
    children: { Opportunities: { type: 'Opportunity', field: 'AccountId' } },
  },
  Pricebook2: {
    keyPrefix: '01s',
    fields: [...SYSTEM_FIELDS, 'Name', 'IsActive', 'IsStandard'],
    readOnly: [...SYSTEM_FIELDS, 'IsStandard'],
    parents: {},
    children: {},
  },
  Product2: {
    keyPrefix: '01t',
    fields: [...SYSTEM_FIELDS, 'Name', 'ProductCode', 'Description', 'IsActive', 'Family', 'QuantityUnitOfMeasure'],
    readOnly: SYSTEM_FIELDS,
    parents: {},
    children: {},
  },
  PricebookEntry: {
    keyPrefix: '01u',
    fields: [
      ...SYSTEM_FIELDS,
      'Name',
      'Pricebook2Id',
      'Product2Id',
      'ProductCode',
      'UnitPrice',
      'IsActive',
      'UseStandardPrice',
      'CurrencyIsoCode',
    ],
    readOnly: [...SYSTEM_FIELDS, 'Name', 'ProductCode'],
    parents: {
      Pricebook2: { field: 'Pricebook2Id', type: 'Pricebook2' },
      Product2: { field: 'Product2Id', type: 'Product2' },
    },
    children: {},
  },
  Opportunity: {
    keyPrefix: '006',
    fields: [
      ...SYSTEM_FIELDS,
      'Name',
      'AccountId',
      'StageName',
      'CloseDate',
      'Amount',
      'Probability',
      'Pricebook2Id',
      'CurrencyIsoCode',
      'IsClosed',
      'IsWon',
      'HasOpportunityLineItem',
      'Type',
      'Description',
      // A custom lookup to the Opportunity a renewal renews (the hub's renewalOfField convention).
      'Renewal_Of__c',
    ],
    readOnly: [...SYSTEM_FIELDS, 'IsClosed', 'IsWon', 'HasOpportunityLineItem'],
    parents: {
      Account: { field: 'AccountId', type: 'Account' },
      Pricebook2: { field: 'Pricebook2Id', type: 'Pricebook2' },
    },
    children: {
      OpportunityLineItems: { type: 'OpportunityLineItem', field: 'OpportunityId' },
      OpportunityContactRoles: { type: 'OpportunityContactRole', field: 'OpportunityId' },
    },
  },
  Contact: {
    keyPrefix: '003',
    // Name is the compound of FirstName and LastName, computed by Salesforce.
    fields: [...SYSTEM_FIELDS, 'AccountId', 'FirstName', 'LastName', 'Name', 'Email', 'Phone', 'Title'],
    readOnly: [...SYSTEM_FIELDS, 'Name'],
    parents: { Account: { field: 'AccountId', type: 'Account' } },
    children: {},
  },
  // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunitycontactrole.htm
  OpportunityContactRole: {
    keyPrefix: '00K',
    fields: [...SYSTEM_FIELDS, 'OpportunityId', 'ContactId', 'Role', 'IsPrimary'],
    readOnly: SYSTEM_FIELDS,
    parents: {
      Opportunity: { field: 'OpportunityId', type: 'Opportunity' },
      Contact: { field: 'ContactId', type: 'Contact' },
    },
    children: {},
  },
  /*
   * Salesforce CPQ (managed package, namespace SBQQ). Custom objects get org-specific key
   * prefixes in real Salesforce (a0x, a1B, ...: assigned when the package is installed), so a
   * client must never rely on them; the simulated org uses a0x and a0y.
   * https://developer.salesforce.com/docs/atlas.en-us.cpq_dev_api.meta/cpq_dev_api/cpq_quote_api_objects.htm
   */
  SBQQ__Quote__c: {
    keyPrefix: 'a0x',
    fields: [
      ...SYSTEM_FIELDS,
      'Name',
      'SBQQ__Opportunity2__c',
      'SBQQ__Account__c',
      'SBQQ__Primary__c',
      'SBQQ__StartDate__c',
      'SBQQ__SubscriptionTerm__c',
      'SBQQ__NetAmount__c',
      'CurrencyIsoCode',
    ],
    readOnly: [...SYSTEM_FIELDS, 'Name', 'SBQQ__NetAmount__c'],
    parents: {
      SBQQ__Opportunity2__r: { field: 'SBQQ__Opportunity2__c', type: 'Opportunity' },
      SBQQ__Account__r: { field: 'SBQQ__Account__c', type: 'Account' },
    },
    children: { SBQQ__LineItems__r: { type: 'SBQQ__QuoteLine__c', field: 'SBQQ__Quote__c' } },
  },
  SBQQ__QuoteLine__c: {
    keyPrefix: 'a0y',
    fields: [
      ...SYSTEM_FIELDS,
      'Name',
      'SBQQ__Quote__c',
      'SBQQ__Product__c',
      'SBQQ__ProductCode__c',
      'SBQQ__ProductName__c',
      'SBQQ__Number__c',
      'SBQQ__Quantity__c',
      'SBQQ__ListPrice__c',
      'SBQQ__NetPrice__c',
      'SBQQ__NetTotal__c',
      'SBQQ__Description__c',
      'SBQQ__ChargeType__c',
      'SBQQ__BillingFrequency__c',
      'CurrencyIsoCode',
    ],
    readOnly: [
      ...SYSTEM_FIELDS,
      'Name',
      'SBQQ__Quote__c',
      'SBQQ__ProductCode__c',
      'SBQQ__ProductName__c',
      'SBQQ__NetTotal__c',
    ],
    parents: {
      SBQQ__Quote__r: { field: 'SBQQ__Quote__c', type: 'SBQQ__Quote__c' },
      SBQQ__Product__r: { field: 'SBQQ__Product__c', type: 'Product2' },
    },
    children: {},
  },
  OpportunityLineItem: {
    keyPrefix: '00k',
    fields: [
      ...SYSTEM_FIELDS,
      'OpportunityId',
      'PricebookEntryId',
      'Product2Id',
      'ProductCode',
      'Name',
      'Quantity',
      'UnitPrice',
      'TotalPrice',
      'ListPrice',
      'Discount',
      'ServiceDate',
      'Description',
      'SortOrder',
      'CurrencyIsoCode',
    ],
    readOnly: [...SYSTEM_FIELDS, 'OpportunityId', 'PricebookEntryId', 'Product2Id', 'ProductCode', 'Name', 'ListPrice'],
    parents: {
      Opportunity: { field: 'OpportunityId', type: 'Opportunity' },
      PricebookEntry: { field: 'PricebookEntryId', type: 'PricebookEntry' },
      Product2: { field: 'Product2Id', type: 'Product2' },
    },
    children: {},
  },
};

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
