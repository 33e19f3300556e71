/**
 * A contract as the mapping produces it, before it is stored. Issue-2 scope: flat-fee and
 * per-unit lines billed monthly in advance; the pricing engine widens PriceSpec later.
 */
import type { PostalAddress } from './deal.js';

export type SimplePrice = { model: 'flat_fee'; amount: string } | { model: 'per_unit'; unit_amount: string };

export interface ContractLineDraft {
  sourceLineId: string;
  sku: string;
  productName: string;
  description: string;
  quantity: string;
  price: SimplePrice;
}

export interface ContractDraft {
  customer: {
    sourceId: string;
    name: string;
    email: string | null;
    address: PostalAddress | null;
  };
  currency: string;
  startDate: string; // YYYY-MM-DD
  billingCadence: 'monthly';
  billingTiming: 'in_advance';
  paymentTermsDays: number;
  lines: ContractLineDraft[];
}
