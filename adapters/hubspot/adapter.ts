/**
 * HubSpot CRM adapter: reads a deal with its line items, their products, its company and its
 * contacts (with their association labels).
 * Object reads: https://developers.hubspot.com/docs/api/crm/deals
 * Associations v4: https://developers.hubspot.com/docs/api/crm/associations
 * Batch reads take at most 100 inputs: https://developers.hubspot.com/docs/api/crm/understanding-the-crm#batch-operations
 */

import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import type { DealBundle } from '../../src/domain/deal.js';
import { type Outcome, ok, permanent, retryable } from '../../src/domain/outcome.js';
import type { CrmPort } from '../ports.js';
import { createHubSpotClient, type HubSpotClient, type HubSpotConfig } from './client.js';
import { classifyHubSpotError } from './errors.js';
import {
  COMPANY_PROPERTIES,
  CONTACT_PROPERTIES,
  DEAL_PROPERTIES,
  DEFAULT_RENEWAL_OF_PROPERTY,
  fromDeal,
  type HubSpotObject,
  LINE_ITEM_PROPERTIES,
  PRODUCT_PROPERTIES,
  productIdsToRead,
} from './map.js';

export type { HubSpotConfig } from './client.js';
export { dealEventDedupeKey, isStageTransition, parseDealEvents, verifyWebhookV3 } from './webhooks.js';

export const BATCH_READ_LIMIT = 100;
/** The most associations v4 returns per page. */
export const ASSOCIATION_PAGE_LIMIT = 500;

/** The search API returns at most 200 results per page. */
export const SEARCH_PAGE_LIMIT = 200;

/**
 * The poller's search: deals in a trigger stage modified after `sinceMs`, oldest first.
 * https://developers.hubspot.com/docs/api/crm/search (filters in one group are ANDed)
 */
export function wonDealsSearchRequest(sinceMs: number, stageIds: string[], limit: number, after = '0') {
  return {
    filterGroups: [
      {
        filters: [
          { propertyName: 'hs_lastmodifieddate', operator: FilterOperatorEnum.Gt, value: String(sinceMs) },
          { propertyName: 'dealstage', operator: FilterOperatorEnum.In, values: stageIds },
        ],
      },
    ],
    // The stored spec types sorts as array<string>: a property name sorts ascending.
    sorts: ['hs_lastmodifieddate'],
    properties: ['hs_lastmodifieddate', 'dealstage'],
    limit,
    after,
  };
}

/** HubSpot object ids are numeric strings. */
const OBJECT_ID = /^\d{1,20}$/;

interface AssociationRow {
  toObjectId: string | number;
  associationTypes?: { typeId?: number; label?: string | null; category?: string }[];
}

/** A batch read that left some ids out (deleted between the association read and this one). */
class MissingObjects extends Error {
  constructor(
    readonly objectType: string,
    readonly ids: string[],
  ) {
    super(`${objectType} ${ids.join(', ')} could not be read`);
  }
}

export interface HubSpotAdapter extends CrmPort {
  readonly client: HubSpotClient;
}

export interface HubSpotAdapterOptions {
  /** The deal property holding the renewed deal's id (default DEFAULT_RENEWAL_OF_PROPERTY). */
  renewalOfProperty?: string;
}

export function createHubSpotAdapter(config: HubSpotConfig, options: HubSpotAdapterOptions = {}): HubSpotAdapter {
  const client = createHubSpotClient(config);
  const renewalOfProperty = options.renewalOfProperty || DEFAULT_RENEWAL_OF_PROPERTY;
  const dealProperties = [...DEAL_PROPERTIES, renewalOfProperty];
  const now = config.now ?? (() => new Date());

  async function associated(dealId: string, toObjectType: string): Promise<AssociationRow[]> {
    const rows: AssociationRow[] = [];
    let after: string | undefined;
    do {
      const page = await client.associations.getPage('deals', dealId, toObjectType, after, ASSOCIATION_PAGE_LIMIT);
      rows.push(...(page.results as AssociationRow[]));
      after = page.paging?.next?.after;
    } while (after);
    return rows;
  }

  /** Batch-reads objects in chunks of 100, in the order of `ids`. */
  async function readAll(objectType: string, ids: string[], properties: string[]): Promise<HubSpotObject[]> {
    const byId = new Map<string, HubSpotObject>();
    for (let i = 0; i < ids.length; i += BATCH_READ_LIMIT) {
      const chunk = ids.slice(i, i + BATCH_READ_LIMIT);
      const response = await client.batch.read(objectType, {
        inputs: chunk.map((id) => ({ id })),
        properties,
        propertiesWithHistory: [],
      });
      for (const result of response.results) byId.set(String(result.id), result as HubSpotObject);
    }
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) throw new MissingObjects(objectType, missing);
    return ids.map((id) => byId.get(id) as HubSpotObject);
  }

  /** A contact's association labels to the deal (a contact is listed once per association type). */
  function labelsOf(rows: AssociationRow[], contactId: string): string[] {
    return rows
      .filter((r) => String(r.toObjectId) === contactId)
      .flatMap((r) => r.associationTypes ?? [])
      .map((t) => t.label)
      .filter((l): l is string => typeof l === 'string' && l !== '');
  }

  /** The primary company when the deal has several (HubSpot labels that association "Primary"). */
  function primaryCompanyId(rows: AssociationRow[]): string | null {
    const primary = rows.find((r) => r.associationTypes?.some((t) => t.label === 'Primary'));
    const row = primary ?? rows[0];
    return row ? String(row.toObjectId) : null;
  }

  return {
    vendor: 'hubspot',
    amountsAs: 'decimal_string',
    client,

    async fetchDeal(dealId: string): Promise<Outcome<DealBundle>> {
      if (!OBJECT_ID.test(dealId)) {
        return permanent(`malformed HubSpot deal id "${dealId}": expected digits only`, { field: 'dealId' });
      }
      let deal: HubSpotObject;
      try {
        deal = (await client.objects.getById('deals', dealId, dealProperties)) as HubSpotObject;
      } catch (error) {
        return classifyHubSpotError(error, now, { notFound: `deal not found: ${dealId}` });
      }
      try {
        const [lineItemRows, companyRows, contactRows] = await Promise.all([
          associated(dealId, 'line_items'),
          associated(dealId, 'companies'),
          associated(dealId, 'contacts'),
        ]);
        const lineItemIds = [...new Set(lineItemRows.map((r) => String(r.toObjectId)))];
        const companyId = primaryCompanyId(companyRows);
        const contactIds = [...new Set(contactRows.map((r) => String(r.toObjectId)))];
        const [lineItems, companies, contacts] = await Promise.all([
          readAll('line_items', lineItemIds, LINE_ITEM_PROPERTIES),
          companyId ? readAll('companies', [companyId], COMPANY_PROPERTIES) : Promise.resolve([]),
          contactIds.length > 0 ? readAll('contacts', contactIds, CONTACT_PROPERTIES) : Promise.resolve([]),
        ]);
        const productIds = productIdsToRead(lineItems);
        const products = productIds.length > 0 ? await readAll('products', productIds, PRODUCT_PROPERTIES) : [];
        return fromDeal(deal, companies[0] ?? null, lineItems, {
          products: new Map(products.map((p) => [p.id, p])),
          renewalOfProperty,
          contacts: contacts.map((contact) => ({ contact, labels: labelsOf(contactRows, contact.id) })),
          triggerStageIds: config.triggerStageIds,
        });
      } catch (error) {
        // Associations and objects are not read atomically: something removed in between
        // is gone on the next attempt (or the retry fails for a reason a person can see).
        if (error instanceof MissingObjects) return retryable(`HubSpot deal ${dealId}: ${error.message}`);
        return classifyHubSpotError(error, now, { notFound: `deal not found: ${dealId}` });
      }
    },

    /**
     * PATCH /crm/v3/objects/deals/{id} with `{ properties }`; HubSpot properties are strings, so
     * numbers are sent in their decimal form and null clears a property.
     * https://developers.hubspot.com/docs/api/crm/deals (update)
     * The update sets absolute values, so a retry after an unknown outcome simply writes again;
     * no idempotency key is needed.
     */
    async writeBack(dealId: string, fields: Record<string, string | number | null>): Promise<Outcome<void>> {
      if (!OBJECT_ID.test(dealId)) {
        return permanent(`malformed HubSpot deal id "${dealId}": expected digits only`, { field: 'dealId' });
      }
      const properties: Record<string, string> = {};
      for (const [name, value] of Object.entries(fields)) {
        // HubSpot clears a property set to the empty string.
        properties[name] = value === null ? '' : String(value);
      }
      try {
        await client.objects.update('deals', dealId, { properties });
      } catch (error) {
        return classifyHubSpotError(error, now, { notFound: `deal not found: ${dealId}` });
      }
      return ok(undefined);
    },

    /** PATCH /crm/v3/objects/companies/{id} with `{ properties }`, as `writeBack` does for deals. */
    async writeBackAccount(companyId: string, fields: Record<string, string | number | null>): Promise<Outcome<void>> {
      if (!OBJECT_ID.test(companyId)) {
        return permanent(`malformed HubSpot company id "${companyId}": expected digits only`, { field: 'accountId' });
      }
      const properties: Record<string, string> = {};
      for (const [name, value] of Object.entries(fields)) properties[name] = value === null ? '' : String(value);
      try {
        await client.objects.update('companies', companyId, { properties });
      } catch (error) {
        return classifyHubSpotError(error, now, { notFound: `company not found: ${companyId}` });
      }
      return ok(undefined);
    },

    /** One search page (oldest change first); the next poll continues from the new cursor. */
    async listWonDealsChangedSince(since: string, limit: number) {
      const sinceMs = Date.parse(since);
      if (Number.isNaN(sinceMs)) return permanent(`invalid poll cursor "${since}"`, { field: 'since' });
      const n = Math.max(1, Math.min(Math.trunc(limit), SEARCH_PAGE_LIMIT));
      const stages =
        config.triggerStageIds && config.triggerStageIds.length > 0 ? config.triggerStageIds : ['closedwon'];
      try {
        const page = await client.search.doSearch('deals', wonDealsSearchRequest(sinceMs, stages, n));
        return ok(
          page.results.map((r) => ({
            id: String(r.id),
            lastModified: new Date(r.properties.hs_lastmodifieddate ?? r.updatedAt).toISOString(),
          })),
        );
      } catch (error) {
        return classifyHubSpotError(error, now);
      }
    },
  };
}
