/**
 * The simulated portal's object types: their properties (which are read-only, which a read
 * returns by default) and the association types between them.
 */

export type ObjectType = 'deals' | 'line_items' | 'products' | 'companies' | 'contacts';

/** The spec's object type ids (e.g. /crm/v3/objects/0-3 is deals) beside the names. */
export const TYPE_ALIASES: Record<string, ObjectType> = {
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
  line_items: 'line_items',
  line_item: 'line_items',
  '0-8': 'line_items',
  products: 'products',
  product: 'products',
  '0-7': 'products',
  companies: 'companies',
  company: 'companies',
  '0-2': 'companies',
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
};

/** Properties each type knows (beyond the system ones); unknown names are rejected on write. */
export const KNOWN_PROPERTIES: Record<ObjectType, string[]> = {
  deals: [
    'dealname',
    'dealstage',
    'pipeline',
    'closedate',
    'amount',
    'deal_currency_code',
    'description',
    // Custom properties a hub write-back sets.
    'billing_status',
    'billing_invoice_number',
  ],
  line_items: [
    'name',
    'quantity',
    'price',
    'amount',
    'hs_product_id',
    'hs_sku',
    'description',
    'recurringbillingfrequency',
    'hs_recurring_billing_period',
  ],
  products: ['name', 'hs_sku', 'price', 'description', 'recurringbillingfrequency'],
  companies: ['name', 'address', 'city', 'state', 'zip', 'country', 'domain', 'phone'],
  contacts: ['firstname', 'lastname', 'email', 'phone', 'jobtitle', 'company'],
};

/**
 * Custom deal and company properties the simulated portal has: any `hub_<name>` (the hub's
 * write-back properties, e.g. hub_billing_status). HubSpot accepts a custom property on write
 * once it has been created in the portal; other unknown names are refused.
 */
export const CUSTOM_PROPERTY = /^hub_[a-z0-9_]+$/;
const CUSTOM_PROPERTY_TYPES: ObjectType[] = ['deals', 'companies'];

/** Whether `type` has the property `name` (standard, or one of the portal's custom ones). */
export function hasProperty(type: ObjectType, name: string): boolean {
  return KNOWN_PROPERTIES[type].includes(name) || (CUSTOM_PROPERTY_TYPES.includes(type) && CUSTOM_PROPERTY.test(name));
}

/** Computed by HubSpot; a write naming them is refused. */
export const READ_ONLY = ['hs_object_id', 'createdate', 'hs_createdate', 'hs_lastmodifieddate', 'hs_is_closed_won'];

/** Returned when a read names no properties (HubSpot's defaults per type). */
export const DEFAULT_PROPERTIES: Record<ObjectType, string[]> = {
  deals: ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage'],
  line_items: ['name', 'quantity', 'price', 'amount', 'hs_product_id'],
  products: ['name', 'price', 'description'],
  companies: ['name', 'domain'],
  contacts: ['firstname', 'lastname', 'email'],
};

/** The default sales pipeline's stages; closedwon is the won one. */
export const DEFAULT_PIPELINE = {
  id: 'default',
  stages: [
    'appointmentscheduled',
    'qualifiedtobuy',
    'presentationscheduled',
    'decisionmakerboughtin',
    'contractsent',
    'closedwon',
    'closedlost',
  ],
  wonStages: ['closedwon'],
};

/**
 * HubSpot-defined association type ids [UNVERIFIED: from HubSpot's association type table,
 * not in the stored spec]: deal→line item 19, deal→company (primary) 5, deal→company 341,
 * deal→contact 3. A label an admin defines (e.g. "Billing contact") is USER_DEFINED with a
 * portal-specific type id.
 */
export const ASSOCIATION_TYPES = {
  dealToLineItem: { category: 'HUBSPOT_DEFINED', typeId: 19, label: null },
  lineItemToDeal: { category: 'HUBSPOT_DEFINED', typeId: 20, label: null },
  dealToCompanyPrimary: { category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' },
  dealToCompany: { category: 'HUBSPOT_DEFINED', typeId: 341, label: null },
  companyToDealPrimary: { category: 'HUBSPOT_DEFINED', typeId: 6, label: 'Primary' },
  companyToDeal: { category: 'HUBSPOT_DEFINED', typeId: 342, label: null },
  dealToContact: { category: 'HUBSPOT_DEFINED', typeId: 3, label: null },
  contactToDeal: { category: 'HUBSPOT_DEFINED', typeId: 4, label: null },
} as const;

/** The portal's custom deal→contact label, with the id the portal gave it. */
export function userDefinedLabel(label: string, typeId = 101): AssociationType {
  return { category: 'USER_DEFINED', typeId, label };
}

export interface AssociationType {
  category: string;
  typeId: number;
  label: string | null;
}
