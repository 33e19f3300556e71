/**
 * Seeding the simulated portal as a user would fill it: a closed-won deal with its company,
 * products, line items and labelled contacts, all associated as HubSpot associates them.
 */
import Decimal from 'decimal.js';
import { ASSOCIATION_TYPES, type AssociationType, userDefinedLabel } from './schema.js';
import type { HubSpotSim, StoredObject } from './state.js';

export interface SeedLineItem {
  name: string;
  sku: string;
  /** Decimal strings, as HubSpot stores them. */
  quantity: string;
  price: string;
  recurringbillingfrequency?: string | null;
  description?: string | null;
}

export interface SeedOptions {
  name?: string;
  companyName?: string | null;
  /** null: a portal without multi-currency, where deal_currency_code is empty. */
  currency?: string | null;
  closeDate?: string;
  stage?: string;
  address?: { address: string; city: string; state: string; zip: string; country: string } | null;
  /** [] seeds a deal without line items. */
  lineItems?: SeedLineItem[];
  /** Deal amount (default: the sum of the lines). */
  amount?: string | null;
  /** Contacts associated with the deal ([]: none; default DEMO_CONTACTS). */
  contacts?: SeedContact[];
}

export interface SeedContact {
  firstname: string;
  lastname: string;
  email?: string | null;
  phone?: string | null;
  /** A custom deal→contact association label the portal defined ("Billing contact"). */
  label?: string | null;
}

/** The demo deal's people: a decision maker, and accounts payable labelled as the billing contact. */
export const DEMO_CONTACTS: SeedContact[] = [
  { firstname: 'Maya', lastname: 'Okafor', email: 'maya.okafor@acme-robotics.example', label: 'Decision maker' },
  { firstname: 'Leo', lastname: 'Brandt', email: 'ap@acme-robotics.example', label: 'Billing contact' },
];

export interface SeededDeal {
  dealId: string;
  companyId: string | null;
  lineItemIds: string[];
  productIds: string[];
  contactIds: string[];
}

export const DEMO_LINE_ITEMS: SeedLineItem[] = [
  { name: 'Platform fee', sku: 'PLATFORM', quantity: '1', price: '1000.00', recurringbillingfrequency: 'annually' },
  { name: 'Seat licence', sku: 'SEAT', quantity: '25', price: '40.00', recurringbillingfrequency: 'monthly' },
];

export function seedClosedWonDeal(sim: HubSpotSim, opts: SeedOptions = {}): SeededDeal {
  const { store, now, labelIds } = sim;
  const lines = opts.lineItems ?? DEMO_LINE_ITEMS;
  const company =
    opts.companyName === null
      ? null
      : store.create('companies', {
          name: opts.companyName ?? 'Acme Robotics, Inc.',
          domain: 'acme-robotics.example',
          ...(opts.address === null
            ? {}
            : (opts.address ?? {
                address: '1 Market St',
                city: 'San Francisco',
                state: 'CA',
                zip: '94105',
                country: 'United States',
              })),
        });
  const products = new Map<string, StoredObject>();
  for (const line of lines) {
    if (!products.has(line.sku)) {
      products.set(
        line.sku,
        store.create('products', {
          name: line.name,
          hs_sku: line.sku,
          price: line.price,
          recurringbillingfrequency: line.recurringbillingfrequency ?? null,
        }),
      );
    }
  }
  const total = lines.reduce((sum, l) => sum.plus(new Decimal(l.quantity).times(l.price)), new Decimal(0));
  const deal = store.create('deals', {
    dealname: opts.name ?? 'Acme Robotics, Inc. - Annual subscription',
    pipeline: 'default',
    dealstage: opts.stage ?? 'closedwon',
    closedate: opts.closeDate ?? `${now().toISOString().slice(0, 10)}T00:00:00Z`,
    amount: opts.amount === undefined ? total.toFixed() : opts.amount,
    deal_currency_code: opts.currency === undefined ? 'USD' : opts.currency,
  });
  if (company) {
    store.associate(
      deal,
      company,
      [ASSOCIATION_TYPES.dealToCompanyPrimary, ASSOCIATION_TYPES.dealToCompany],
      [ASSOCIATION_TYPES.companyToDealPrimary, ASSOCIATION_TYPES.companyToDeal],
    );
  }
  const lineItemIds = lines.map((line) => {
    const product = products.get(line.sku) as StoredObject;
    const item = store.create('line_items', {
      name: line.name,
      hs_product_id: product.id,
      hs_sku: line.sku,
      quantity: line.quantity,
      price: line.price,
      amount: new Decimal(line.quantity).times(line.price).toFixed(),
      description: line.description ?? null,
      recurringbillingfrequency: line.recurringbillingfrequency ?? null,
    });
    store.associate(deal, item, [ASSOCIATION_TYPES.dealToLineItem], [ASSOCIATION_TYPES.lineItemToDeal]);
    return item.id;
  });
  const contactIds = (opts.contacts ?? DEMO_CONTACTS).map((person) => {
    const contact = store.create('contacts', {
      firstname: person.firstname,
      lastname: person.lastname,
      email: person.email ?? null,
      phone: person.phone ?? null,
    });
    const types: AssociationType[] = [ASSOCIATION_TYPES.dealToContact];
    if (person.label) {
      if (!labelIds.has(person.label)) labelIds.set(person.label, 101 + labelIds.size);
      types.push(userDefinedLabel(person.label, labelIds.get(person.label)));
    }
    store.associate(deal, contact, types, [ASSOCIATION_TYPES.contactToDeal]);
    return contact.id;
  });
  return {
    dealId: deal.id,
    companyId: company?.id ?? null,
    lineItemIds,
    productIds: [...products.values()].map((p) => p.id),
    contactIds,
  };
}
