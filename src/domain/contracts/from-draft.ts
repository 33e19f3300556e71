/**
 * The terms of a contract born from a CRM deal: one standard phase from the start date, each deal
 * line an item, anniversary-aligned (the first period starts on the close date, as the deal's
 * first invoice does). A line's cadence and timing default to the draft's billingCadence and
 * billingTiming (monthly in advance for the default mappings). Stored with the contract so
 * billing runs carry the deal on after its first invoice.
 *
 * A straight copy: the result is checked with the terms schema (billing's checkTerms) by the
 * mapping engine before anything is stored.
 */
import type { ContractDraft, ContractLineDraft } from '../contract.js';
import { addMonths } from '../dates.js';
import type { ContractItem, ContractTerms, Phase } from './terms.js';

/** The contract's exclusive end: endDate, else startDate + termMonths, else null (evergreen). */
export function draftEndDate(draft: ContractDraft): string | null {
  if (draft.endDate != null) return draft.endDate;
  if (draft.termMonths != null) return addMonths(draft.startDate, draft.termMonths);
  return null;
}

function itemOf(draft: ContractDraft, line: ContractLineDraft): ContractItem {
  const metric = line.metric ?? undefined;
  return {
    id: line.sourceLineId,
    sku: line.sku,
    description: line.description,
    prices: [{ effectiveFrom: draft.startDate, price: line.price }],
    // A metered line bills its usage; a flat fee is billed once per period whatever the
    // quantity, but the item still needs one.
    ...(metric !== undefined
      ? { metric }
      : { quantity: line.price.model === 'flat_fee' ? '1' : (line.quantity ?? undefined) }),
    cadence: line.cadence ?? draft.billingCadence,
    timing: line.timing ?? draft.billingTiming,
    ...(line.freeUnits != null ? { freeUnits: line.freeUnits } : {}),
    ...(line.discounts != null && line.discounts.length > 0 ? { discounts: line.discounts } : {}),
    ...(line.usageProration != null ? { usageProration: line.usageProration } : {}),
  };
}

export function termsFromDraft(draft: ContractDraft): ContractTerms {
  const phase: Phase = {
    name: 'Initial term',
    kind: 'standard',
    start: draft.startDate,
    end: null,
    items: draft.lines.map((line) => itemOf(draft, line)),
    ...(draft.discounts != null && draft.discounts.length > 0 ? { discounts: draft.discounts } : {}),
    ...(draft.minimumCommitment != null ? { minimumCommitment: draft.minimumCommitment } : {}),
  };
  return {
    currency: draft.currency,
    startDate: draft.startDate,
    endDate: draftEndDate(draft),
    alignment: draft.alignment ?? 'anniversary',
    ...(draft.endOfMonth != null ? { endOfMonth: draft.endOfMonth } : {}),
    ...(draft.trial != null ? { trial: draft.trial } : {}),
    paymentTermsDays: draft.paymentTermsDays,
    renewal: draft.renewal ?? { policy: 'none' },
    phases: [phase],
    ...(draft.proration != null ? { proration: draft.proration } : {}),
    ...(draft.rounding != null ? { rounding: draft.rounding } : {}),
    ...(draft.coupons != null && draft.coupons.length > 0 ? { coupons: draft.coupons } : {}),
    ...(draft.wallets != null && draft.wallets.length > 0 ? { wallets: draft.wallets } : {}),
  };
}
