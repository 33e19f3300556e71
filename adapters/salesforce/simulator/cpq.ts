/**
 * Salesforce CPQ (the SBQQ managed package): seeding a quote and its lines on an opportunity,
 * as a sales rep would build one in the quote line editor.
 */
import Decimal from 'decimal.js';
import { productFor } from './seed.js';
import type { SalesforceSim } from './state.js';

/** A CPQ quote line: the product (found or created by code) and the quote's net price. */
export interface SeedQuoteLine {
  name: string;
  productCode?: string;
  family?: string | null;
  quantity: number;
  /** SBQQ__NetPrice__c: the unit price after all discounts. */
  netPrice: number;
  /** SBQQ__ListPrice__c (default: netPrice). */
  listPrice?: number;
  description?: string | null;
  /** SBQQ__ChargeType__c: One-Time, Recurring or Usage. */
  chargeType?: string | null;
  /** SBQQ__BillingFrequency__c: Monthly, Quarterly, Semiannual, Annual, Invoice Plan. */
  billingFrequency?: string | null;
}

export interface SeedQuoteOptions {
  /** Default true; a primary quote makes the opportunity's other quotes non-primary. */
  primary?: boolean;
  startDate?: string;
  subscriptionTerm?: number;
}

export interface SeededQuote {
  quoteId: string;
  quoteLineIds: string[];
}

/**
 * A Salesforce CPQ quote (SBQQ__Quote__c) on the opportunity with its lines
 * (SBQQ__QuoteLine__c); primary unless `primary` is false. As in CPQ, making a quote primary
 * makes the opportunity's other quotes non-primary.
 */
export function seedCpqQuote(
  sim: SalesforceSim,
  opportunityId: string,
  lines: SeedQuoteLine[],
  opts: SeedQuoteOptions = {},
): SeededQuote {
  const { store } = sim;
  const opportunity = store.get('Opportunity', opportunityId);
  if (!opportunity) throw new Error(`no opportunity ${opportunityId} in the simulator`);
  const primary = opts.primary ?? true;
  const currency = store.options.multiCurrency ? (opportunity.CurrencyIsoCode as string | null) : null;
  if (primary) {
    for (const other of store.all('SBQQ__Quote__c')) {
      if (other.SBQQ__Opportunity2__c === opportunity.Id)
        store.update('SBQQ__Quote__c', String(other.Id), { SBQQ__Primary__c: false });
    }
  }
  sim.counters.quote += 1;
  const quote = store.insert('SBQQ__Quote__c', {
    Name: `Q-${String(sim.counters.quote).padStart(5, '0')}`,
    SBQQ__Opportunity2__c: opportunity.Id,
    SBQQ__Account__c: opportunity.AccountId,
    SBQQ__Primary__c: primary,
    SBQQ__StartDate__c: opts.startDate ?? (opportunity.CloseDate as string | null),
    SBQQ__SubscriptionTerm__c: opts.subscriptionTerm ?? 12,
    SBQQ__NetAmount__c: lines
      .reduce((sum, l) => sum.add(new Decimal(l.netPrice).mul(l.quantity)), new Decimal(0))
      .toNumber(),
    ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
  });
  const seeded: SeededQuote = { quoteId: String(quote.Id), quoteLineIds: [] };
  lines.forEach((line, index) => {
    const { product } = productFor(sim, { ...line, unitPrice: line.listPrice ?? line.netPrice }, currency);
    const record = store.insert('SBQQ__QuoteLine__c', {
      SBQQ__Quote__c: quote.Id,
      SBQQ__Product__c: product.Id,
      SBQQ__ProductCode__c: product.ProductCode,
      SBQQ__ProductName__c: product.Name,
      SBQQ__Number__c: index + 1,
      SBQQ__Quantity__c: line.quantity,
      SBQQ__ListPrice__c: line.listPrice ?? line.netPrice,
      SBQQ__NetPrice__c: line.netPrice,
      SBQQ__NetTotal__c: new Decimal(line.netPrice).mul(line.quantity).toNumber(),
      SBQQ__Description__c: line.description ?? null,
      SBQQ__ChargeType__c: line.chargeType ?? 'Recurring',
      SBQQ__BillingFrequency__c: line.billingFrequency ?? 'Monthly',
      ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
    });
    seeded.quoteLineIds.push(String(record.Id));
  });
  return seeded;
}
