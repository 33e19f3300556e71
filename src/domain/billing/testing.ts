/** Builders for billing tests: small valid terms that each test bends to its case. */
import type { ContractItem, ContractTerms, Phase } from '../contracts/terms.js';
import type { PriceSpec } from '../pricing/index.js';

export function seats(overrides: Partial<ContractItem> = {}): ContractItem {
  return {
    id: 'seats',
    sku: 'SEAT',
    description: 'Seats',
    prices: [{ effectiveFrom: '2000-01-01', price: { model: 'per_unit', unit_amount: '10.00' } }],
    quantity: '1',
    cadence: 'monthly',
    timing: 'in_advance',
    ...overrides,
  } as ContractItem;
}

export function usageItem(metric: string, price: PriceSpec, overrides: Partial<ContractItem> = {}): ContractItem {
  return {
    id: metric,
    sku: metric.toUpperCase(),
    description: `Usage ${metric}`,
    prices: [{ effectiveFrom: '2000-01-01', price }],
    metric,
    cadence: 'monthly',
    timing: 'in_arrears',
    ...overrides,
  } as ContractItem;
}

export function phase(items: ContractItem[], overrides: Partial<Phase> = {}): Phase {
  return { name: 'main', kind: 'standard', start: '2026-01-01', end: null, items, ...overrides } as Phase;
}

export function terms(phases: Phase[], overrides: Partial<ContractTerms> = {}): ContractTerms {
  return {
    currency: 'USD',
    startDate: phases[0]?.start ?? '2026-01-01',
    endDate: null,
    alignment: 'calendar',
    paymentTermsDays: 30,
    renewal: { policy: 'none' },
    phases,
    ...overrides,
  } as ContractTerms;
}
