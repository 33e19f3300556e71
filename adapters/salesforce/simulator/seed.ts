/**
 * Seeding the simulated org as a user would fill it: a closed-won opportunity with its account,
 * contacts (with their roles) and products on the standard price book.
 */
import type { SalesforceSim } from './state.js';

export interface SeedLineItem {
  name: string;
  productCode?: string;
  family?: string | null;
  quantity: number;
  unitPrice: number;
  description?: string | null;
}

export interface SeedOptions {
  name?: string;
  accountName?: string;
  /** Ignored in a single-currency org. */
  currency?: string;
  closeDate?: string;
  stageName?: string;
  billingAddress?: { street: string; city: string; state: string; postalCode: string; country: string } | null;
  /** [] seeds an opportunity without products. */
  lineItems?: SeedLineItem[];
  /** Amount of an opportunity without line items (Salesforce sums the lines otherwise). */
  amount?: number | null;
  /** Contacts on the account with their roles on the opportunity ([]: none; default DEMO_CONTACTS). */
  contacts?: SeedContact[];
}

export interface SeedContact {
  firstName: string;
  lastName: string;
  email?: string | null;
  phone?: string | null;
  /** OpportunityContactRole.Role: Business User, Decision Maker, Economic Buyer, ... */
  role?: string | null;
  isPrimary?: boolean;
}

/** The demo deal's people: a primary decision maker and an accounts-payable contact. */
export const DEMO_CONTACTS: SeedContact[] = [
  {
    firstName: 'Maya',
    lastName: 'Okafor',
    email: 'maya.okafor@acme-robotics.example',
    role: 'Decision Maker',
    isPrimary: true,
  },
  {
    firstName: 'Leo',
    lastName: 'Brandt',
    email: 'ap@acme-robotics.example',
    phone: '+1 415 555 0100',
    role: 'Billing Contact',
  },
];

export interface SeededOpportunity {
  opportunityId: string;
  accountId: string;
  productIds: string[];
  pricebookEntryIds: string[];
  lineItemIds: string[];
  contactIds: string[];
}

export const DEMO_LINE_ITEMS: SeedLineItem[] = [
  { name: 'Platform fee', productCode: 'PLATFORM', family: 'Subscription', quantity: 1, unitPrice: 1000 },
  { name: 'Seat licence', productCode: 'SEAT', family: 'Seat', quantity: 25, unitPrice: 40 },
];

/** Finds a product by code or creates it, with a standard price book entry in `currency`. */
export function productFor(sim: SalesforceSim, line: SeedLineItem, currency: string | null) {
  const { store } = sim;
  const code = line.productCode ?? line.name;
  const product =
    store.all('Product2').find((p) => p.ProductCode === code) ??
    store.insert('Product2', { Name: line.name, ProductCode: code, Family: line.family ?? null, IsActive: true });
  const entry =
    store
      .all('PricebookEntry')
      .find((e) => e.Product2Id === product.Id && (currency === null || e.CurrencyIsoCode === currency)) ??
    store.insert('PricebookEntry', {
      Name: product.Name,
      Pricebook2Id: sim.standardPricebookId,
      Product2Id: product.Id,
      ProductCode: code,
      UnitPrice: line.unitPrice,
      IsActive: true,
      UseStandardPrice: false,
      ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
    });
  return { product, entry };
}

/** A demo closed-won deal: an account in San Francisco, a platform fee and 25 seats, in USD. */
export function seedClosedWonOpportunity(sim: SalesforceSim, opts: SeedOptions = {}): SeededOpportunity {
  const { store, now } = sim;
  const currency = store.options.multiCurrency ? (opts.currency ?? 'USD') : null;
  const address =
    opts.billingAddress === undefined
      ? { street: '415 Mission Street', city: 'San Francisco', state: 'CA', postalCode: '94105', country: 'US' }
      : opts.billingAddress;
  const account = store.insert('Account', {
    Name: opts.accountName ?? 'Acme Robotics, Inc.',
    BillingStreet: address?.street ?? null,
    BillingCity: address?.city ?? null,
    BillingState: address?.state ?? null,
    BillingPostalCode: address?.postalCode ?? null,
    BillingCountry: address?.country ?? null,
    ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
  });
  const lines = opts.lineItems ?? DEMO_LINE_ITEMS;
  const opportunity = store.insert('Opportunity', {
    Name: opts.name ?? `${account.Name} - Annual subscription`,
    AccountId: account.Id,
    StageName: opts.stageName ?? 'Closed Won',
    CloseDate: opts.closeDate ?? now().toISOString().slice(0, 10),
    Amount: lines.length === 0 ? (opts.amount ?? null) : null,
    Probability: 100,
    Pricebook2Id: sim.standardPricebookId,
    Type: 'New Business',
    ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
  });
  const seeded: SeededOpportunity = {
    opportunityId: String(opportunity.Id),
    accountId: String(account.Id),
    productIds: [],
    pricebookEntryIds: [],
    lineItemIds: [],
    contactIds: [],
  };
  for (const person of opts.contacts ?? DEMO_CONTACTS) {
    const contact = store.insert('Contact', {
      AccountId: account.Id,
      FirstName: person.firstName,
      LastName: person.lastName,
      Email: person.email ?? null,
      Phone: person.phone ?? null,
    });
    store.insert('OpportunityContactRole', {
      OpportunityId: opportunity.Id,
      ContactId: contact.Id,
      Role: person.role ?? null,
      IsPrimary: person.isPrimary === true,
    });
    seeded.contactIds.push(String(contact.Id));
  }
  lines.forEach((line, index) => {
    const { product, entry } = productFor(sim, line, currency);
    const item = store.insert('OpportunityLineItem', {
      OpportunityId: opportunity.Id,
      PricebookEntryId: entry.Id,
      Product2Id: product.Id,
      ProductCode: product.ProductCode,
      Name: `${opportunity.Name} ${product.Name}`,
      Quantity: line.quantity,
      UnitPrice: line.unitPrice,
      ListPrice: entry.UnitPrice,
      Description: line.description ?? null,
      SortOrder: index + 1,
      ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
    });
    seeded.productIds.push(String(product.Id));
    seeded.pricebookEntryIds.push(String(entry.Id));
    seeded.lineItemIds.push(String(item.Id));
  });
  return seeded;
}
