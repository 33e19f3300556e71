/**
 * A contract as the mapping produces it, before it is stored: a flat view of contract terms
 * (contracts/terms.ts) that termsFromDraft copies into one phase. Every line has a price the
 * pricing engine accepts, and may set its own cadence and timing (default: the draft's
 * billingCadence / billingTiming) or be metered (a billable metric, billed in arrears). The
 * schema is mappings/validate.ts. Optional fields are absent (or null) when a mapping leaves
 * them out; the issue-2 drafts (flat fee and per unit, monthly in advance) are still drafts.
 */
import type { Cadence, ContractTerms, Discount, Phase } from './contracts/terms.js';
import type { PostalAddress } from './deal.js';
import type { PriceSpec } from './pricing/schema.js';

export type SimplePrice = { model: 'flat_fee'; amount: string } | { model: 'per_unit'; unit_amount: string };

export type Timing = 'in_advance' | 'in_arrears';

export interface ContractLineDraft {
  sourceLineId: string;
  sku: string;
  productName: string;
  description: string;
  /** The fixed quantity billed; may be absent on a metered line (usage is billed instead). */
  quantity?: string | null;
  price: PriceSpec;
  /** Default: the draft's billingCadence. */
  cadence?: Cadence | null;
  /** Default: the draft's billingTiming. */
  timing?: Timing | null;
  /** A billable metric code: the quantity is the period's usage (billed in arrears). */
  metric?: string | null;
  freeUnits?: string | null;
  discounts?: Discount[] | null;
  usageProration?: 'none' | 'per_unit_part' | null;
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
  billingCadence: Cadence;
  billingTiming: Timing;
  paymentTermsDays: number;
  /** Exclusive, YYYY-MM-DD; absent or null = evergreen (unless termMonths is set). */
  endDate?: string | null;
  /** The initial term in months (endDate = startDate + termMonths). */
  termMonths?: number | null;
  renewal?: ContractTerms['renewal'] | null;
  minimumCommitment?: Phase['minimumCommitment'] | null;
  /** Invoice-level discounts. */
  discounts?: Discount[] | null;
  /** Default 'anniversary'. */
  alignment?: ContractTerms['alignment'] | null;
  endOfMonth?: ContractTerms['endOfMonth'] | null;
  trial?: ContractTerms['trial'] | null;
  /** The terms' proration options (day count, change day). */
  proration?: ContractTerms['proration'] | null;
  /** The terms' rounding policy. */
  rounding?: ContractTerms['rounding'] | null;
  /** Fixed-amount coupons drawn as balances. */
  coupons?: ContractTerms['coupons'] | null;
  /** Prepaid wallets. */
  wallets?: ContractTerms['wallets'] | null;
  lines: ContractLineDraft[];
}
