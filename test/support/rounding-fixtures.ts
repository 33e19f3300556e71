/**
 * Shared by the rounding end-to-end tests (payable rounding, refunds on the provider's step, cash
 * rounding and credit notes): a customer in one currency, one-line monthly terms with an optional
 * rounding policy, and March billed through the API with every job run.
 */
import { expect } from 'vitest';
import { newId } from '../../src/db/client.js';
import { customers } from '../../src/db/schema.js';
import { type Harness, readJson } from './harness.js';

export const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** CHF 10.37 + 8.875 % = 11.29, cash-rounded to 11.30 (the AvaTax simulator's NY rate). */
export const CHF_CASH: Record<string, unknown> = { mode: 'half_up', level: 'line', cashIncrement: '0.05' };
/** KWD 4.713 + 0.418 tax = 5.131, charged 5.130 at Stripe. */
export const TO_PROVIDER: Record<string, unknown> = {
  mode: 'half_up',
  level: 'line',
  providerAmounts: 'round_to_provider',
};

export async function customerIn(h: Harness, currency: string): Promise<string> {
  const id = newId('cus');
  await h.db.insert(customers).values({
    id,
    orgId: h.orgId,
    name: `Kunde ${currency}`,
    email: 'ap@example.com',
    currency,
    address: JSON.stringify({ line1: '1 Main St', city: 'Albany', region: 'NY', postalCode: '12207', country: 'US' }),
    sourceSystem: 'api',
    sourceId: id,
    createdAt: h.clock.now().toISOString(),
  });
  return id;
}

export function monthlyTerms(currency: string, unitAmount: string, rounding?: Record<string, unknown>) {
  return {
    currency,
    startDate: '2026-03-01',
    endDate: null,
    alignment: 'calendar',
    paymentTermsDays: 30,
    renewal: { policy: 'none' },
    ...(rounding ? { rounding } : {}),
    phases: [
      {
        name: 'main',
        kind: 'standard',
        start: '2026-03-01',
        end: null,
        items: [
          {
            id: 'plan',
            sku: 'PLAN',
            description: 'Plan',
            prices: [{ effectiveFrom: '2026-03-01', price: { model: 'per_unit', unit_amount: unitAmount } }],
            quantity: '1',
            cadence: 'monthly',
            timing: 'in_advance',
          },
        ],
      },
    ],
  };
}

/** Makes the contract, bills March and lets every job run; the one invoice's detail. */
export async function billMarch(h: Harness, currency: string, unitAmount: string, rounding?: Record<string, unknown>) {
  const customerId = await customerIn(h, currency);
  const made = await h.api(
    '/api/v1/contracts',
    json('POST', { customer_id: customerId, status: 'active', terms: monthlyTerms(currency, unitAmount, rounding) }),
  );
  expect(made.status).toBe(201);
  const contract = await readJson(made);
  expect((await h.api('/api/v1/billing-settings', json('PUT', { grace_seconds: 0 }))).status).toBe(200);
  expect((await h.api('/api/v1/billing-runs', json('POST', { at: '2026-03-01' }))).status).toBe(202);
  await h.settle();
  const list = await readJson(await h.api(`/api/v1/invoices?contract_id=${contract.id}`));
  expect(list.data).toHaveLength(1);
  return readJson(await h.api(`/api/v1/invoices/${list.data[0].id}`));
}
