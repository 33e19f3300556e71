/**
 * The terms of a contract born from a CRM deal: one standard phase from the start date, each deal
 * line an item billed monthly in advance, anniversary-aligned (the first period starts on the
 * close date, as the deal's first invoice does). Stored with the contract so billing runs carry
 * the deal on after its first invoice.
 */
import type { ContractDraft } from '../contract.js';
import type { ContractTerms } from './terms.js';

export function termsFromDraft(draft: ContractDraft): ContractTerms {
  return {
    currency: draft.currency,
    startDate: draft.startDate,
    endDate: null,
    alignment: 'anniversary',
    paymentTermsDays: draft.paymentTermsDays,
    renewal: { policy: 'none' },
    phases: [
      {
        name: 'Initial term',
        kind: 'standard',
        start: draft.startDate,
        end: null,
        items: draft.lines.map((line) => ({
          id: line.sourceLineId,
          sku: line.sku,
          description: line.description,
          prices: [{ effectiveFrom: draft.startDate, price: line.price }],
          // A flat fee is billed once per period whatever the quantity; the item still needs one.
          quantity: line.price.model === 'flat_fee' ? '1' : line.quantity,
          cadence: 'monthly',
          timing: 'in_advance',
        })),
      },
    ],
  };
}
