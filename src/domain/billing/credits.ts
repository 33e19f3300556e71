/**
 * Prepaid credits (the credit wallet): drawn down after every charge and discount, in priority
 * order (lower number first), then the grant that expires first (no expiry last), then by id so
 * the order is stable. A grant counts on the invoice's issue date: granted on or before it and
 * not yet expired (expiresOn is exclusive: a grant expiring on the issue date is not used).
 * Credits stop at zero: they never make an invoice negative.
 */
import type { CreditGrant } from '../contracts/terms.js';
import { majorToMinor } from '../money.js';
import type { LineContext } from './context.js';
import type { InvoiceLineComputation } from './types.js';

export function usableGrants(grants: readonly CreditGrant[], on: string): CreditGrant[] {
  return grants
    .filter((g) => g.grantedOn <= on && (g.expiresOn === undefined || g.expiresOn > on))
    .sort(
      (a, b) =>
        a.priority - b.priority ||
        (a.expiresOn ?? '9999-12-31').localeCompare(b.expiresOn ?? '9999-12-31') ||
        a.id.localeCompare(b.id),
    );
}

export function creditLines(
  ctx: LineContext,
  dueMinor: number,
  on: string,
): { lines: InvoiceLineComputation[]; used: { grantId: string; amountMinor: number }[] } {
  const lines: InvoiceLineComputation[] = [];
  const used: { grantId: string; amountMinor: number }[] = [];
  let remaining = dueMinor;
  for (const grant of usableGrants(ctx.terms.credits ?? [], on)) {
    if (remaining <= 0) break;
    const given = ctx.creditBalances?.[grant.id];
    const balance = Math.max(0, given ?? majorToMinor(grant.amount, ctx.currency, ctx.rounding));
    const amount = Math.min(balance, remaining);
    if (amount <= 0) continue;
    remaining -= amount;
    used.push({ grantId: grant.id, amountMinor: amount });
    lines.push({
      lineKind: 'credit',
      sourceRef: grant.id,
      sku: null,
      description: `Prepaid credit ${grant.id}`,
      quantity: '1',
      unitAmount: '0',
      amountMinor: -amount,
      detail: {
        grant: grant.id,
        priority: grant.priority,
        grantedOn: grant.grantedOn,
        expiresOn: grant.expiresOn ?? null,
        balanceBeforeMinor: balance,
        balanceAfterMinor: balance - amount,
        dueBeforeMinor: remaining + amount,
      },
    });
  }
  return { lines, used };
}

/**
 * What is left of each grant (minor units, never below 0) after `drawnMinor` (≤ 0 per grant:
 * the sum of the credit lines already written or previewed against it): the creditBalances a
 * computation takes, so a grant is consumed once across every invoice of its contract.
 */
export function remainingBalances(
  grants: readonly CreditGrant[],
  currency: string,
  drawnMinor: ReadonlyMap<string, number>,
): Record<string, number> {
  const balances: Record<string, number> = {};
  for (const grant of grants) {
    balances[grant.id] = Math.max(0, majorToMinor(grant.amount, currency) + (drawnMinor.get(grant.id) ?? 0));
  }
  return balances;
}
