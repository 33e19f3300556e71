/**
 * In-memory CRM objects and associations for the HubSpot simulator. Runtime-neutral.
 * Ids are numeric strings, as HubSpot's; properties are strings or null, as HubSpot sends them.
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

export interface StoredObject {
  id: string;
  type: ObjectType;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

export class CrmStore {
  private nextId = 40_000_000_001;
  readonly objects = new Map<ObjectType, Map<string, StoredObject>>(
    (Object.keys(KNOWN_PROPERTIES) as ObjectType[]).map((t) => [t, new Map()]),
  );
  /** `${fromType}:${fromId}:${toType}` → toId → types, kept in insertion order. */
  private readonly links = new Map<string, Map<string, AssociationType[]>>();

  constructor(private readonly now: () => Date) {}

  create(type: ObjectType, properties: Record<string, string | null>): StoredObject {
    const id = String(this.nextId++);
    const at = this.now().toISOString();
    const object: StoredObject = {
      id,
      type,
      properties: { ...properties, hs_object_id: id, createdate: at, hs_lastmodifieddate: at },
      createdAt: at,
      updatedAt: at,
    };
    this.recompute(object);
    this.objects.get(type)?.set(id, object);
    return object;
  }

  get(type: ObjectType, id: string): StoredObject | undefined {
    return this.objects.get(type)?.get(id);
  }

  update(object: StoredObject, properties: Record<string, string | null>): StoredObject {
    const at = this.now().toISOString();
    Object.assign(object.properties, properties, { hs_lastmodifieddate: at });
    object.updatedAt = at;
    this.recompute(object);
    return object;
  }

  count(type: ObjectType): number {
    return this.objects.get(type)?.size ?? 0;
  }

  /** Associates both ways, as HubSpot does. */
  associate(
    from: StoredObject,
    to: StoredObject,
    types: readonly AssociationType[],
    reverse: readonly AssociationType[],
  ): void {
    this.link(from.type, from.id, to.type, to.id, types);
    this.link(to.type, to.id, from.type, from.id, reverse);
  }

  associations(fromType: ObjectType, fromId: string, toType: ObjectType): [string, AssociationType[]][] {
    return [...(this.links.get(`${fromType}:${fromId}:${toType}`) ?? new Map()).entries()];
  }

  private link(
    fromType: ObjectType,
    fromId: string,
    toType: ObjectType,
    toId: string,
    types: readonly AssociationType[],
  ) {
    const key = `${fromType}:${fromId}:${toType}`;
    const targets = this.links.get(key) ?? new Map<string, AssociationType[]>();
    targets.set(toId, [...(targets.get(toId) ?? []), ...types]);
    this.links.set(key, targets);
  }

  /** HubSpot's calculated deal properties. */
  private recompute(object: StoredObject): void {
    if (object.type !== 'deals') return;
    const won = DEFAULT_PIPELINE.wonStages.includes(object.properties.dealstage ?? '');
    object.properties.hs_is_closed_won = String(won);
    if (won && !object.properties.closedate) object.properties.closedate = this.now().toISOString();
  }
}
