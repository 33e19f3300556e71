/**
 * HubSpot CRM objects → DealBundle. Pure functions.
 * HubSpot sends every property value as a string (or null), numbers included: amounts and
 * quantities are kept exactly as sent, after checking they are plain decimal strings.
 * Properties: https://knowledge.hubspot.com/properties/hubspots-default-deal-properties
 */
import type { DealBundle, DealContact, DealLineItem, PostalAddress } from '../../src/domain/deal.js';
import { isDecimalString } from '../../src/domain/money.js';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';

export type Properties = Record<string, string | null | undefined>;

/** A CRM object as the v3 object APIs return it. */
export interface HubSpotObject {
  id: string;
  properties: Properties;
  updatedAt?: Date | string;
}

export const DEAL_PROPERTIES = [
  'dealname',
  'dealstage',
  'pipeline',
  'closedate',
  'amount',
  'deal_currency_code',
  'hs_lastmodifieddate',
  'hs_is_closed_won',
];
/**
 * The deal property holding the id of the deal a renewal renews (a custom property; the
 * connection's `renewalOfProperty` config names another). Reading a property the portal lacks
 * is harmless: HubSpot leaves unknown names out of the answer.
 */
export const DEFAULT_RENEWAL_OF_PROPERTY = 'hub_renewal_of';
export const LINE_ITEM_PROPERTIES = [
  'name',
  'quantity',
  'price',
  'hs_product_id',
  'hs_sku',
  'description',
  'recurringbillingfrequency',
];
export const COMPANY_PROPERTIES = ['name', 'address', 'city', 'state', 'zip', 'country', 'domain'];
export const PRODUCT_PROPERTIES = ['name', 'hs_sku', 'description'];
export const CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone'];

/** A contact with the labels of its association to the deal (none for an unlabelled one). */
export interface LabelledContact {
  contact: HubSpotObject;
  labels: string[];
}

function text(value: string | null | undefined): string {
  return value?.trim() ?? '';
}

function nonEmpty(value: string | null | undefined): string | null {
  const t = text(value);
  return t === '' ? null : t;
}

/** A HubSpot number property: null when empty, an error when it is not a plain decimal. */
export function decimalProperty(value: string | null | undefined): { value: string | null } | { invalid: string } {
  if (value === null || value === undefined || value.trim() === '') return { value: null };
  return isDecimalString(value) ? { value } : { invalid: value };
}

/**
 * closedate is a datetime; HubSpot stores a date picked in the UI as midnight UTC of that day,
 * so the UTC calendar date is the date the user chose.
 */
export function toDateOnly(value: string | null | undefined): string | null {
  const t = text(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return t;
  if (/^\d+$/.test(t)) return new Date(Number(t)).toISOString().slice(0, 10); // epoch ms (older APIs)
  const at = Date.parse(t);
  return Number.isNaN(at) ? null : new Date(at).toISOString().slice(0, 10);
}

function toIso(value: string | null | undefined, fallback: Date | string | undefined): string {
  const t = text(value);
  const at = /^\d+$/.test(t) ? Number(t) : Date.parse(t);
  if (t !== '' && !Number.isNaN(at)) return new Date(at).toISOString();
  if (fallback instanceof Date) return fallback.toISOString();
  return fallback ?? '';
}

export function fromCompanyAddress(p: Properties): PostalAddress | null {
  const address: PostalAddress = {
    line1: text(p.address),
    city: text(p.city),
    region: text(p.state),
    postalCode: text(p.zip),
    country: text(p.country),
  };
  return Object.values(address).some((part) => part !== '') ? address : null;
}

function mapLineItem(item: HubSpotObject, products: ReadonlyMap<string, HubSpotObject>): Outcome<DealLineItem> {
  const p = item.properties;
  const quantity = decimalProperty(p.quantity);
  const price = decimalProperty(p.price);
  if ('invalid' in quantity || quantity.value === null) {
    return permanent(`line item ${item.id} has no usable quantity (${JSON.stringify(p.quantity ?? null)})`, {
      field: 'quantity',
    });
  }
  if ('invalid' in price || price.value === null) {
    return permanent(`line item ${item.id} has no usable price (${JSON.stringify(p.price ?? null)})`, {
      field: 'price',
    });
  }
  const productId = nonEmpty(p.hs_product_id);
  // A custom line item (not from the product library) has nothing to bill it as in the ERP.
  if (!productId) return permanent(`line item ${item.id} has no product`, { field: 'hs_product_id' });
  const product = products.get(productId)?.properties ?? {};
  // Line items copy the product's name and SKU when added to a deal; the product fills gaps.
  const sku = nonEmpty(p.hs_sku) ?? nonEmpty(product.hs_sku);
  return ok({
    id: item.id,
    productId,
    productCode: sku,
    productName: nonEmpty(p.name) ?? nonEmpty(product.name) ?? '',
    quantity: quantity.value,
    unitPrice: price.value,
    description: nonEmpty(p.description),
    // Keys are HubSpot's internal property names, so a mapping names them as an admin would.
    attributes: {
      hs_sku: sku,
      recurringbillingfrequency: nonEmpty(p.recurringbillingfrequency),
    },
  });
}

/** Line items that need their product read: no SKU or name of their own. */
export function productIdsToRead(lineItems: HubSpotObject[]): string[] {
  const ids = lineItems
    .filter((li) => !nonEmpty(li.properties.hs_sku) || !nonEmpty(li.properties.name))
    .map((li) => nonEmpty(li.properties.hs_product_id))
    .filter((id): id is string => id !== null);
  return [...new Set(ids)];
}

/** The contact's role: its first custom label ("Billing contact"); "Primary" marks the primary one. */
export function fromContacts(contacts: LabelledContact[]): DealContact[] {
  return contacts.map(({ contact, labels }) => {
    const p = contact.properties;
    return {
      id: contact.id,
      firstName: nonEmpty(p.firstname),
      lastName: nonEmpty(p.lastname),
      email: nonEmpty(p.email),
      phone: nonEmpty(p.phone),
      role: labels.find((l) => l !== 'Primary') ?? null,
      isPrimary: labels.includes('Primary'),
    };
  });
}

export interface DealParts {
  /** Products of line items that lack their own SKU or name, by id. */
  products?: ReadonlyMap<string, HubSpotObject>;
  /** The deal property holding the renewed deal's id. */
  renewalOfProperty?: string;
  /** The deal's associated contacts with their association labels. */
  contacts?: LabelledContact[];
  /**
   * Stage ids that start billing (the connection's `triggerStageIds`): a deal in one counts as
   * won (`deal.isWon`), as a deal in a "closed won" stage does.
   */
  triggerStageIds?: readonly string[];
}

/**
 * Maps a deal, its company (if any), its line items and contacts.
 * isWon comes from hs_is_closed_won, which HubSpot computes from the stage's "closed won"
 * flag in the deal's pipeline, or from the stage being one of the connection's trigger stages.
 */
export function fromDeal(
  deal: HubSpotObject,
  company: HubSpotObject | null,
  lineItems: HubSpotObject[],
  parts: DealParts = {},
): Outcome<DealBundle> {
  const products = parts.products ?? new Map<string, HubSpotObject>();
  const renewalOfProperty = parts.renewalOfProperty ?? DEFAULT_RENEWAL_OF_PROPERTY;
  const p = deal.properties;
  const amount = decimalProperty(p.amount);
  if ('invalid' in amount) {
    return permanent(`deal ${deal.id} has an amount that is not a decimal number: ${JSON.stringify(amount.invalid)}`, {
      field: 'amount',
    });
  }
  const closeDate = toDateOnly(p.closedate);
  if (!closeDate) return permanent(`deal ${deal.id} has no close date`, { field: 'closedate' });
  const items: DealLineItem[] = [];
  for (const record of lineItems) {
    const item = mapLineItem(record, products);
    if (!item.ok) return item;
    items.push(item.value);
  }
  const stage = text(p.dealstage);
  return ok({
    source: 'hubspot',
    deal: {
      id: deal.id,
      name: text(p.dealname),
      stage,
      isWon: p.hs_is_closed_won === 'true' || (parts.triggerStageIds ?? []).includes(stage),
      closeDate,
      currency: nonEmpty(p.deal_currency_code),
      amount: amount.value,
      accountId: company?.id ?? null,
      lastModified: toIso(p.hs_lastmodifieddate, deal.updatedAt),
      renewalOf: nonEmpty(p[renewalOfProperty]),
    },
    account: company
      ? {
          id: company.id,
          name: text(company.properties.name),
          // Companies have no email property; contacts carry emails.
          email: null,
          billingAddress: fromCompanyAddress(company.properties),
        }
      : null,
    lineItems: items,
    contacts: fromContacts(parts.contacts ?? []),
  });
}
