/**
 * The simulated org's objects: a few standard objects with their real key prefixes, fields and
 * relationships, and the custom fields the hub writes back.
 * Object reference: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/
 */

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
export const CUSTOM_FIELD_OBJECTS = ['Opportunity', 'Account'];

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
