/**
 * Salesforce CRM adapter: reads a closed Opportunity with its line items, products and account
 * (with `cpq`, the lines of its primary Salesforce CPQ quote instead; see primaryQuoteSoql).
 * SOQL reference: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm
 */

import type { DealBundle } from '../../src/domain/deal.js';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { CrmPort } from '../ports.js';
import { createSalesforceClient, type SalesforceClient, type SalesforceConfig } from './client.js';
import { classifySalesforceError } from './errors.js';
import { checkId } from './ids.js';
import {
  type ContactRoleRecord,
  type CpqQuoteLineRecord,
  type CpqQuoteRecord,
  fromOpportunity,
  type LineItemRecord,
  type OpportunityRecord,
  type SubqueryResult,
} from './map.js';

export type { SalesforceConfig } from './client.js';
export { buildOutboundMessage, outboundMessageAck, parseOutboundMessage } from './webhooks.js';

export const OPPORTUNITY_KEY_PREFIX = '006';
export const ACCOUNT_KEY_PREFIX = '001';

const OPPORTUNITY_FIELDS = [
  'Id',
  'Name',
  'StageName',
  'IsWon',
  'CloseDate',
  'Amount',
  'CurrencyIsoCode',
  'AccountId',
  'SystemModstamp',
];
const ACCOUNT_FIELDS = [
  'Id',
  'Name',
  'BillingStreet',
  'BillingCity',
  'BillingState',
  'BillingPostalCode',
  'BillingCountry',
];
const LINE_ITEM_FIELDS = [
  'Id',
  'Product2Id',
  'ProductCode',
  'Name',
  'Quantity',
  'UnitPrice',
  'Description',
  'Product2.Name',
  'Product2.Family',
  'PricebookEntryId',
  'ListPrice',
];
/** The deal's people: each contact role with its contact (a contact may hold several roles). */
const CONTACT_ROLE_FIELDS = [
  'Id',
  'ContactId',
  'Role',
  'IsPrimary',
  'Contact.FirstName',
  'Contact.LastName',
  'Contact.Email',
  'Contact.Phone',
];

/**
 * One query: the Opportunity, its Account through the AccountId lookup, its line items
 * through the OpportunityLineItems child relationship and its contact roles through
 * OpportunityContactRoles. `multiCurrency` false leaves out
 * CurrencyIsoCode, which does not exist in single-currency orgs. `extraFields` are custom
 * Opportunity fields the connection names (the renewal lookup), added only when configured.
 */
export function opportunitySoql(opportunityId: string, multiCurrency = true, extraFields: string[] = []): string {
  const fields = [...OPPORTUNITY_FIELDS.filter((f) => multiCurrency || f !== 'CurrencyIsoCode'), ...extraFields];
  return [
    'SELECT',
    [
      ...fields,
      ...ACCOUNT_FIELDS.map((f) => `Account.${f}`),
      `(SELECT ${LINE_ITEM_FIELDS.join(', ')} FROM OpportunityLineItems ORDER BY SortOrder, Id)`,
      `(SELECT ${CONTACT_ROLE_FIELDS.join(', ')} FROM OpportunityContactRoles ORDER BY Id)`,
    ].join(', '),
    // The id was checked to be letters and digits only, so it is safe inside the literal.
    `FROM Opportunity WHERE Id = '${opportunityId}'`,
  ].join(' ');
}

const CPQ_QUOTE_FIELDS = [
  'Id',
  'Name',
  'SBQQ__Primary__c',
  'SBQQ__StartDate__c',
  'SBQQ__SubscriptionTerm__c',
  'CurrencyIsoCode',
];
const CPQ_QUOTE_LINE_FIELDS = [
  'Id',
  'SBQQ__Product__c',
  'SBQQ__ProductCode__c',
  'SBQQ__ProductName__c',
  'SBQQ__Quantity__c',
  'SBQQ__NetPrice__c',
  'SBQQ__Description__c',
  'SBQQ__ChargeType__c',
  'SBQQ__BillingFrequency__c',
  'SBQQ__Product__r.Family',
];

/**
 * Salesforce CPQ: the opportunity's primary quote (CPQ keeps at most one primary quote per
 * opportunity; LIMIT 1 guards against a data-loaded org that broke the rule).
 * https://developer.salesforce.com/docs/atlas.en-us.cpq_dev_api.meta/cpq_dev_api/cpq_quote_api_objects.htm
 */
export function primaryQuoteSoql(opportunityId: string, multiCurrency = true): string {
  const fields = CPQ_QUOTE_FIELDS.filter((f) => multiCurrency || f !== 'CurrencyIsoCode');
  // The id was checked to be letters and digits only, so it is safe inside the literal.
  return `SELECT ${fields.join(', ')} FROM SBQQ__Quote__c WHERE SBQQ__Opportunity2__c = '${opportunityId}' AND SBQQ__Primary__c = true ORDER BY Id LIMIT 1`;
}

/** The lines of a CPQ quote, in the quote's line order. */
export function quoteLinesSoql(quoteId: string): string {
  return `SELECT ${CPQ_QUOTE_LINE_FIELDS.join(', ')} FROM SBQQ__QuoteLine__c WHERE SBQQ__Quote__c = '${quoteId}' ORDER BY SBQQ__Number__c, Id`;
}

/** A field API name from config goes into SOQL text: letters, digits and underscores only. */
const SAFE_FIELD = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

/** Quote ids come from Salesforce itself; checked anyway before going into a SOQL literal. */
const SAFE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The most records one poll asks for (a SOQL query returns up to 2,000 per batch). */
export const MAX_POLL_LIMIT = 2000;

/**
 * A SOQL dateTime literal: unquoted, to the second, in UTC with Z.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 */
export function soqlDateTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A SOQL string literal: backslash and quote escaped.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Won Opportunities (or ones in a trigger stage) changed after `since`, oldest change first. */
export function wonChangedSinceSoql(since: string, limit: number, triggerStages: readonly string[] = []): string {
  const won =
    triggerStages.length === 0
      ? 'IsWon = true'
      : `(IsWon = true OR StageName IN (${triggerStages.map(soqlString).join(', ')}))`;
  return `SELECT Id, SystemModstamp FROM Opportunity WHERE ${won} AND SystemModstamp > ${soqlDateTime(since)} ORDER BY SystemModstamp LIMIT ${limit}`;
}

/** Salesforce's answer when a query names a field the org does not have. */
function isMissingCurrencyField(error: unknown): boolean {
  const e = error as { errorCode?: unknown; message?: unknown };
  return e?.errorCode === 'INVALID_FIELD' && typeof e.message === 'string' && e.message.includes('CurrencyIsoCode');
}

export interface SalesforceAdapter extends CrmPort {
  readonly client: SalesforceClient;
}

export interface SalesforceAdapterOptions {
  /**
   * The org uses Salesforce CPQ: a deal's lines come from the opportunity's primary quote
   * (SBQQ__Quote__c / SBQQ__QuoteLine__c) at its net prices; an opportunity without a
   * primary quote falls back to its OpportunityLineItems.
   */
  cpq?: boolean;
  /**
   * The Opportunity lookup naming the deal this one renews (conventionally `Renewal_Of__c`).
   * Selected only when set: a query naming a field the org lacks fails with INVALID_FIELD.
   */
  renewalOfField?: string;
  /**
   * Stage names that start billing besides a won stage (the connection's `triggerStages`,
   * e.g. "Contract Signed"): a deal in one counts as won for the flows and the poller.
   */
  triggerStages?: readonly string[];
}

export function createSalesforceAdapter(
  config: SalesforceConfig,
  options: SalesforceAdapterOptions = {},
): SalesforceAdapter {
  const client = createSalesforceClient(config);
  const conn = client.connection;
  // Learnt on the first query: a single-currency org has no CurrencyIsoCode field.
  let multiCurrency = true;
  const extraFields = options.renewalOfField && SAFE_FIELD.test(options.renewalOfField) ? [options.renewalOfField] : [];

  async function queryOpportunity(id: string): Promise<OpportunityRecord[]> {
    try {
      return (await conn.query<OpportunityRecord>(opportunitySoql(id, multiCurrency, extraFields))).records;
    } catch (error) {
      if (!multiCurrency || !isMissingCurrencyField(error)) throw error;
      multiCurrency = false;
      return (await conn.query<OpportunityRecord>(opportunitySoql(id, false, extraFields))).records;
    }
  }

  /** A query or subquery returns its first batch only; follow nextRecordsUrl for the rest. */
  async function allRecords<R = LineItemRecord>(first: SubqueryResult<R> | null | undefined): Promise<R[]> {
    if (!first) return []; // Salesforce returns null for a child relationship with no rows.
    const items = [...first.records];
    let next = first.done ? undefined : first.nextRecordsUrl;
    while (next) {
      const page = await conn.request<SubqueryResult<R>>(next);
      items.push(...page.records);
      next = page.done ? undefined : page.nextRecordsUrl;
    }
    return items;
  }

  /** The primary quote's lines, or undefined when the opportunity has no primary quote. */
  async function primaryQuoteLines(opportunityId: string): Promise<CpqQuoteLineRecord[] | undefined> {
    const quotes = await conn.query<CpqQuoteRecord>(primaryQuoteSoql(opportunityId, multiCurrency));
    const quote = quotes.records[0];
    if (!quote) return undefined;
    if (!SAFE_ID.test(quote.Id)) throw new Error(`unexpected SBQQ__Quote__c id "${quote.Id}"`);
    const first = await conn.query<CpqQuoteLineRecord>(quoteLinesSoql(quote.Id));
    return allRecords<CpqQuoteLineRecord>(first);
  }

  return {
    vendor: 'salesforce',
    amountsAs: 'number',
    client,

    async fetchDeal(dealId: string): Promise<Outcome<DealBundle>> {
      const problem = checkId(dealId, OPPORTUNITY_KEY_PREFIX);
      if (problem) return permanent(`malformed Salesforce Opportunity id "${dealId}": ${problem}`, { field: 'dealId' });
      client.beginCall();
      let opportunity: OpportunityRecord;
      let lineItems: LineItemRecord[];
      let contactRoles: ContactRoleRecord[];
      let quoteLines: CpqQuoteLineRecord[] | undefined;
      try {
        const records = await queryOpportunity(dealId);
        if (records.length === 0) return permanent(`opportunity not found: ${dealId}`);
        opportunity = records[0];
        lineItems = await allRecords(opportunity.OpportunityLineItems);
        contactRoles = await allRecords<ContactRoleRecord>(opportunity.OpportunityContactRoles);
        if (options.cpq) quoteLines = await primaryQuoteLines(opportunity.Id);
      } catch (error) {
        return classifySalesforceError(error, config.now);
      }
      return fromOpportunity(opportunity, {
        lineItems,
        quoteLines,
        contactRoles,
        renewalOfField: extraFields[0],
        triggerStages: options.triggerStages,
      });
    },

    /**
     * PATCH /sobjects/Opportunity/{id} with the fields (custom ones end in `__c`).
     * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm
     * The update sets absolute values, so a retry after an unknown outcome simply writes again;
     * no idempotency key is needed (and Salesforce's REST API has none).
     */
    async writeBack(dealId: string, fields: Record<string, string | number | null>): Promise<Outcome<void>> {
      const problem = checkId(dealId, OPPORTUNITY_KEY_PREFIX);
      if (problem) return permanent(`malformed Salesforce Opportunity id "${dealId}": ${problem}`, { field: 'dealId' });
      client.beginCall();
      try {
        await conn.sobject('Opportunity').update({ Id: dealId, ...fields });
      } catch (error) {
        return classifySalesforceError(error, config.now);
      }
      return ok(undefined);
    },

    /** PATCH /sobjects/Account/{id} with the fields; like `writeBack`, absolute values, no key. */
    async writeBackAccount(accountId: string, fields: Record<string, string | number | null>): Promise<Outcome<void>> {
      const problem = checkId(accountId, ACCOUNT_KEY_PREFIX);
      if (problem)
        return permanent(`malformed Salesforce Account id "${accountId}": ${problem}`, { field: 'accountId' });
      client.beginCall();
      try {
        await conn.sobject('Account').update({ Id: accountId, ...fields });
      } catch (error) {
        return classifySalesforceError(error, config.now);
      }
      return ok(undefined);
    },

    /** SOQL on SystemModstamp (the change stamp system processes bump too), one batch. */
    async listWonDealsChangedSince(since: string, limit: number) {
      if (Number.isNaN(Date.parse(since))) return permanent(`invalid poll cursor "${since}"`, { field: 'since' });
      const n = Math.max(1, Math.min(Math.trunc(limit), MAX_POLL_LIMIT));
      client.beginCall();
      try {
        const result = await conn.query<{ Id: string; SystemModstamp: string }>(
          wonChangedSinceSoql(since, n, options.triggerStages),
        );
        return ok(
          result.records.map((r) => ({
            id: r.Id,
            // The REST API writes "2026-03-02T09:00:00.000+0000"; ours is ISO 8601 with Z.
            lastModified: new Date(r.SystemModstamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString(),
          })),
        );
      } catch (error) {
        return classifySalesforceError(error, config.now);
      }
    },
  };
}
