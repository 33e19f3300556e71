/**
 * Salesforce query records → DealBundle. Pure functions.
 * Field reference: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm
 */
import Decimal from 'decimal.js';
import type { DealBundle, DealContact, DealLineItem, PostalAddress } from '../../src/domain/deal.js';
import { isDecimalString } from '../../src/domain/money.js';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';

type Scalar = string | number | boolean | null | undefined;

/** A child relationship in a query result (null when the parent has no children). */
export interface SubqueryResult<R> {
  totalSize: number;
  done: boolean;
  records: R[];
  nextRecordsUrl?: string;
}

export interface AccountRecord {
  Id: string;
  Name: string;
  BillingStreet?: string | null;
  BillingCity?: string | null;
  BillingState?: string | null;
  BillingPostalCode?: string | null;
  BillingCountry?: string | null;
}

export interface LineItemRecord {
  Id: string;
  Product2Id: string | null;
  ProductCode?: string | null;
  Name?: string | null;
  Quantity: Scalar;
  UnitPrice: Scalar;
  Description?: string | null;
  Product2?: { Name?: string | null; Family?: string | null } | null;
  PricebookEntryId?: string | null;
  /** The pricebook entry's price at the time the line was added (read-only on the line). */
  ListPrice?: Scalar;
}

export interface OpportunityRecord {
  Id: string;
  Name: string;
  StageName: string;
  IsWon: boolean;
  CloseDate: string;
  Amount?: Scalar;
  /** Absent in single-currency orgs (the field does not exist there). */
  CurrencyIsoCode?: string | null;
  AccountId?: string | null;
  SystemModstamp: string;
  Account?: AccountRecord | null;
  OpportunityLineItems?: SubqueryResult<LineItemRecord> | null;
  OpportunityContactRoles?: SubqueryResult<ContactRoleRecord> | null;
}

/**
 * An OpportunityContactRole with its Contact (through the ContactId lookup).
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunitycontactrole.htm
 */
export interface ContactRoleRecord {
  Id: string;
  ContactId: string | null;
  Role?: string | null;
  IsPrimary?: boolean | null;
  Contact?: {
    FirstName?: string | null;
    LastName?: string | null;
    Email?: string | null;
    Phone?: string | null;
  } | null;
}

/** A Salesforce CPQ quote (SBQQ__Quote__c), as the adapter reads it. */
export interface CpqQuoteRecord {
  Id: string;
  Name?: string | null;
  SBQQ__Primary__c?: boolean | null;
  SBQQ__StartDate__c?: string | null;
  SBQQ__SubscriptionTerm__c?: Scalar;
  CurrencyIsoCode?: string | null;
}

/** A Salesforce CPQ quote line (SBQQ__QuoteLine__c), as the adapter reads it. */
export interface CpqQuoteLineRecord {
  Id: string;
  SBQQ__Product__c: string | null;
  SBQQ__ProductCode__c?: string | null;
  SBQQ__ProductName__c?: string | null;
  SBQQ__Quantity__c: Scalar;
  SBQQ__NetPrice__c: Scalar;
  SBQQ__Description__c?: string | null;
  SBQQ__ChargeType__c?: string | null;
  SBQQ__BillingFrequency__c?: string | null;
  SBQQ__Product__r?: { Name?: string | null; Family?: string | null } | null;
}

/**
 * A Salesforce number as a decimal string. Salesforce sends Quantity, UnitPrice and Amount as
 * JSON numbers, which JSON.parse has already turned into doubles before we see them. String(n)
 * (via decimal.js, which reads a number through its shortest round-trip form) gives back the
 * digits Salesforce sent for anything up to 15 significant digits, which covers its currency
 * (16,2) values up to 13 integer digits and quantities (10,2); no arithmetic is done on the
 * double. toFixed() keeps tiny or huge values out of exponent notation.
 */
export function toDecimalString(value: Scalar): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(value).toFixed();
  if (typeof value === 'string' && isDecimalString(value)) return value;
  return null;
}

/** Salesforce datetimes look like 2026-01-15T10:00:00.000+0000; normalise to ISO 8601 UTC. */
export function toIsoTimestamp(value: string): string {
  const at = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(at) ? value : new Date(at).toISOString();
}

function text(value: string | null | undefined): string {
  return value?.trim() ?? '';
}

/** Billing address compound fields; null when the account has none at all. */
export function fromBillingAddress(account: AccountRecord): PostalAddress | null {
  const street = text(account.BillingStreet);
  const address: PostalAddress = {
    // BillingStreet is a textarea: its lines (street, suite) become one line.
    line1: street
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .join(', '),
    city: text(account.BillingCity),
    region: text(account.BillingState),
    postalCode: text(account.BillingPostalCode),
    country: text(account.BillingCountry),
  };
  return Object.values(address).some((part) => part !== '') ? address : null;
}

function mapLineItem(item: LineItemRecord): Outcome<DealLineItem> {
  const quantity = toDecimalString(item.Quantity);
  const unitPrice = toDecimalString(item.UnitPrice);
  if (quantity === null) return permanent(`line item ${item.Id} has no usable Quantity`, { field: 'Quantity' });
  if (unitPrice === null) return permanent(`line item ${item.Id} has no usable UnitPrice`, { field: 'UnitPrice' });
  if (!item.Product2Id) return permanent(`line item ${item.Id} has no product`, { field: 'Product2Id' });
  return ok({
    id: item.Id,
    productId: item.Product2Id,
    productCode: item.ProductCode ?? null,
    productName: item.Product2?.Name ?? item.Name ?? '',
    quantity,
    unitPrice,
    description: item.Description ?? null,
    // Keys are the Salesforce field paths, so a mapping can name them as an admin would.
    attributes: {
      'Product2.Family': item.Product2?.Family ?? null,
      PricebookEntryId: item.PricebookEntryId ?? null,
      // The list price beside the sold UnitPrice, so a mapping can show or check the discount.
      ListPrice: toDecimalString(item.ListPrice),
    },
  });
}

/**
 * A CPQ quote line as a deal line: the unit price is the net price (after every discount),
 * the quote's own figure; Product2.Family comes through the SBQQ__Product__r lookup.
 */
export function fromQuoteLine(line: CpqQuoteLineRecord): Outcome<DealLineItem> {
  const quantity = toDecimalString(line.SBQQ__Quantity__c);
  const unitPrice = toDecimalString(line.SBQQ__NetPrice__c);
  if (quantity === null) {
    return permanent(`quote line ${line.Id} has no usable SBQQ__Quantity__c`, { field: 'SBQQ__Quantity__c' });
  }
  if (unitPrice === null) {
    return permanent(`quote line ${line.Id} has no usable SBQQ__NetPrice__c`, { field: 'SBQQ__NetPrice__c' });
  }
  if (!line.SBQQ__Product__c) return permanent(`quote line ${line.Id} has no product`, { field: 'SBQQ__Product__c' });
  return ok({
    id: line.Id,
    productId: line.SBQQ__Product__c,
    productCode: line.SBQQ__ProductCode__c ?? null,
    productName: line.SBQQ__ProductName__c ?? line.SBQQ__Product__r?.Name ?? '',
    quantity,
    unitPrice,
    description: line.SBQQ__Description__c ?? null,
    attributes: {
      'Product2.Family': line.SBQQ__Product__r?.Family ?? null,
      SBQQ__ChargeType__c: line.SBQQ__ChargeType__c ?? null,
      SBQQ__BillingFrequency__c: line.SBQQ__BillingFrequency__c ?? null,
    },
  });
}

/** A lookup field's value: a record id, or null when empty. */
function lookupId(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function nonEmpty(value: string | null | undefined): string | null {
  const t = text(value);
  return t === '' ? null : t;
}

/**
 * Contact roles whose contact cannot be read are left out: Salesforce may return a role whose
 * ContactId names a deleted contact (or one the user cannot see), with the Contact lookup null.
 */
export function fromContactRoles(roles: ContactRoleRecord[]): DealContact[] {
  return roles
    .filter((r) => lookupId(r.ContactId) !== null && r.Contact)
    .map((r) => ({
      id: lookupId(r.ContactId) as string,
      firstName: nonEmpty(r.Contact?.FirstName),
      lastName: nonEmpty(r.Contact?.LastName),
      email: nonEmpty(r.Contact?.Email),
      phone: nonEmpty(r.Contact?.Phone),
      role: nonEmpty(r.Role),
      isPrimary: r.IsPrimary === true,
    }));
}

export interface OpportunityParts {
  /** All the opportunity's line items (already paged in). */
  lineItems: LineItemRecord[];
  /** The primary CPQ quote's lines: when given, these are the deal's lines instead. */
  quoteLines?: CpqQuoteLineRecord[];
  /** All the opportunity's contact roles (already paged in). */
  contactRoles?: ContactRoleRecord[];
  /** The Opportunity lookup holding the renewed deal's id (see renewalOf). */
  renewalOfField?: string;
  /**
   * Stage names that start billing besides a won stage (the connection's `triggerStages`):
   * a deal in one of them counts as won (`deal.isWon`), as a deal with IsWon does.
   */
  triggerStages?: readonly string[];
}

/** Maps an Opportunity with its Account, line items (or CPQ quote lines) and contact roles. */
export function fromOpportunity(opportunity: OpportunityRecord, parts: OpportunityParts): Outcome<DealBundle> {
  const { lineItems, quoteLines, renewalOfField } = parts;
  const items: DealLineItem[] = [];
  for (const record of quoteLines ?? []) {
    const item = fromQuoteLine(record);
    if (!item.ok) return item;
    items.push(item.value);
  }
  for (const record of quoteLines ? [] : lineItems) {
    const item = mapLineItem(record);
    if (!item.ok) return item;
    items.push(item.value);
  }
  const account = opportunity.Account ?? null;
  const inTriggerStage = (parts.triggerStages ?? []).includes(opportunity.StageName);
  return ok({
    source: 'salesforce',
    deal: {
      id: opportunity.Id,
      name: opportunity.Name,
      stage: opportunity.StageName,
      isWon: opportunity.IsWon === true || inTriggerStage,
      closeDate: opportunity.CloseDate,
      currency: opportunity.CurrencyIsoCode ?? null,
      amount: toDecimalString(opportunity.Amount),
      accountId: opportunity.AccountId ?? null,
      lastModified: toIsoTimestamp(opportunity.SystemModstamp),
      renewalOf: renewalOfField ? lookupId((opportunity as unknown as Record<string, unknown>)[renewalOfField]) : null,
    },
    account: account
      ? {
          id: account.Id,
          name: account.Name,
          // Account has no standard email field; contacts carry emails.
          email: null,
          billingAddress: fromBillingAddress(account),
        }
      : null,
    lineItems: items,
    contacts: fromContactRoles(parts.contactRoles ?? []),
  });
}
