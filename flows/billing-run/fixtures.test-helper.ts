/**
 * A small org for billing-run tests: three contracts (monthly fee in advance, tiered usage in
 * arrears, quarterly fee in advance), one with broken terms, and usage for January and February.
 * Test support only (imported by *.test.ts; named .test-helper.ts so the layer rules and the
 * schema rule leave it out).
 */
import { atomic } from '../../src/db/atomic.js';
import type { Db } from '../../src/db/client.js';
import { metricInsert } from '../../src/db/repos/metering.js';
import { contracts, customers, usageEvents } from '../../src/db/schema.js';
import type { Clock } from '../../src/domain/clock.js';
import type { ContractTerms } from '../../src/domain/contracts/terms.js';

type Item = ContractTerms['phases'][number]['items'][number];

export function termsWith(items: Item[]): ContractTerms {
  return {
    currency: 'USD',
    startDate: '2026-01-01',
    endDate: null,
    alignment: 'calendar',
    paymentTermsDays: 30,
    renewal: { policy: 'none' },
    phases: [{ name: 'standard', kind: 'standard', start: '2026-01-01', end: null, items }],
  };
}

const from = '2026-01-01';
export const FIXTURE_TERMS = {
  monthly: termsWith([
    {
      id: 'platform',
      sku: 'PLATFORM',
      description: 'Platform fee',
      prices: [{ effectiveFrom: from, price: { model: 'flat_fee', amount: '100.00' } }],
      quantity: '1',
      cadence: 'monthly',
      timing: 'in_advance',
    },
  ]),
  usage: termsWith([
    {
      id: 'calls',
      sku: 'API',
      description: 'API calls',
      // 100 units at 0.10, the rest at 0.05
      prices: [
        {
          effectiveFrom: from,
          price: {
            model: 'tiered',
            tiers: [
              { up_to: 100, unit_amount: '0.10' },
              { up_to: null, unit_amount: '0.05' },
            ],
          },
        },
      ],
      metric: 'api_calls',
      cadence: 'monthly',
      timing: 'in_arrears',
    },
  ]),
  quarterly: termsWith([
    {
      id: 'support',
      sku: 'SUPPORT',
      description: 'Support plan',
      prices: [{ effectiveFrom: from, price: { model: 'flat_fee', amount: '300.00' } }],
      quantity: '1',
      cadence: 'quarterly',
      timing: 'in_advance',
    },
  ]),
} as const;

export const CONTRACT_IDS = {
  monthly: 'ctr_monthly',
  usage: 'ctr_usage',
  quarterly: 'ctr_quarterly',
  broken: 'ctr_broken',
};

/** Seeds the contracts, the metric (sum of `units`) and usage: January 150 units, February 30. */
export async function seedBillingOrg(db: Db, clock: Clock, orgId: string, options: { broken?: boolean } = {}) {
  const now = clock.now().toISOString();
  const entries: [string, unknown][] = [
    [CONTRACT_IDS.monthly, FIXTURE_TERMS.monthly],
    [CONTRACT_IDS.usage, FIXTURE_TERMS.usage],
    [CONTRACT_IDS.quarterly, FIXTURE_TERMS.quarterly],
  ];
  // Valid JSON, invalid terms: an unknown currency.
  if (options.broken) entries.push([CONTRACT_IDS.broken, { ...FIXTURE_TERMS.monthly, currency: 'XYZ' }]);
  const statements = entries.flatMap(([id, terms]) => [
    db.insert(customers).values({
      id: `cus_${id}`,
      orgId,
      name: id,
      currency: 'USD',
      sourceSystem: 'test',
      sourceId: id,
      createdAt: now,
    }),
    db.insert(contracts).values({
      id,
      orgId,
      customerId: `cus_${id}`,
      sourceSystem: 'test',
      sourceDealId: id,
      version: 1,
      status: 'active' as const,
      currency: 'USD',
      startDate: '2026-01-01',
      billingCadence: 'monthly',
      billingTiming: 'in_advance' as const,
      paymentTermsDays: 30,
      mappingVersion: 'test',
      terms: JSON.stringify(terms),
      effectiveDate: '2026-01-01',
      createdAt: now,
    }),
  ]);
  const event = (n: number, at: string, units: number) =>
    db.insert(usageEvents).values({
      orgId,
      transactionId: `tx_${n}`,
      customerId: `cus_${CONTRACT_IDS.usage}`,
      metricCode: 'api_calls',
      timestamp: Date.parse(at),
      properties: JSON.stringify({ units }),
      receivedAt: Date.parse(at),
      late: false,
    });
  await atomic(db, [
    ...statements,
    metricInsert(db, orgId, now, {
      code: 'api_calls',
      name: 'API calls',
      aggregation: 'sum',
      field: 'units',
      filters: [],
      groupBy: [],
      rounding: null,
    }).statement,
    event(1, '2026-01-05T10:00:00Z', 100),
    event(2, '2026-01-31T23:59:59Z', 50),
    event(3, '2026-02-01T00:00:00Z', 30), // February's, not January's: periods are [start, end)
  ]);
}
