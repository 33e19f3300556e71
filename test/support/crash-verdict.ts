/**
 * The crash sweeps' verdict, shared by the Node sweep (test/crash-sweep.test.ts) and the workerd
 * sweep (test/workerd-crash-sweep.test.ts): what the vendors hold, how a crashed run's outcome
 * differs from the crash-free reference (duplicates, lost), and the checks every reference passes.
 */
import { expect } from 'vitest';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO, type Simulators } from '../../src/runtime/simulators.js';

export interface SweepOutcome {
  /** Objects at each vendor ("stripe refunds": 1). */
  vendors: Record<string, number>;
  /** Rows of the hub's books by kind ("invoice advance open 10000": 2). */
  books: Record<string, number>;
  /** Ledger entries whose debits and credits differ in a currency. */
  unbalanced: readonly string[];
  /** Jobs neither succeeded nor dead with a reason. */
  unfinished: readonly string[];
}

/** Objects each simulator holds, by vendor and kind. */
export function vendorCounts(sims: Pick<Simulators, 'avalara' | 'stripe' | 'quickbooks'>): Record<string, number> {
  const realm = sims.quickbooks.state.realms.get(SANDBOX_QBO.realmId);
  const stripe = sims.stripe.state;
  return {
    'avalara transactions': sims.avalara.state.count(SANDBOX_AVALARA_COMPANY),
    'stripe customers': stripe.customers.size,
    'stripe payment intents': stripe.paymentIntents.size,
    'stripe refunds': stripe.refunds.size,
    ...Object.fromEntries(
      Object.entries(realm?.entities ?? {}).map(([type, rows]) => [
        `quickbooks ${type}`,
        (rows as Map<string, unknown>).size,
      ]),
    ),
  };
}

/** Objects present more often than in the reference (duplicates), and less often (lost). */
export function compareOutcomes(reference: SweepOutcome, got: SweepOutcome): { duplicates: number; lost: number } {
  let duplicates = 0;
  let lost = 0;
  for (const part of ['vendors', 'books'] as const) {
    for (const key of new Set([...Object.keys(reference[part]), ...Object.keys(got[part])])) {
      const diff = (got[part][key] ?? 0) - (reference[part][key] ?? 0);
      if (diff > 0) duplicates += diff;
      else lost -= diff;
    }
  }
  return { duplicates, lost };
}

/**
 * Every scenario's crash-free reference has crash points and ends clean (balanced, every job
 * finished, invoices written); the billing run and the amendment each add invoices to the deal's.
 */
export function expectCleanReferences(
  references: ReadonlyMap<string, { points: number; outcome: SweepOutcome }>,
  scenarios: readonly string[],
): void {
  if (process.env.CRASH_SWEEP_VERBOSE) console.log(JSON.stringify([...references], null, 1));
  for (const name of scenarios) {
    const ref = references.get(name)!;
    expect(ref.points, name).toBeGreaterThan(3);
    expect(ref.outcome.unbalanced, name).toEqual([]);
    expect(ref.outcome.unfinished, name).toEqual([]);
    expect(
      Object.keys(ref.outcome.books).some((k) => k.startsWith('invoice ')),
      name,
    ).toBe(true);
  }
  const invoicesOf = (name: string) =>
    Object.entries(references.get(name)!.outcome.books)
      .filter(([k]) => k.startsWith('invoice '))
      .reduce((n, [, v]) => n + v, 0);
  expect(invoicesOf('billing run')).toBeGreaterThan(invoicesOf('deal to cash'));
  expect(invoicesOf('amendment')).toBeGreaterThan(invoicesOf('deal to cash'));
}
