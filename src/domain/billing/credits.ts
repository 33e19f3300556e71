/**
 * Prepaid credits (the credit wallet): drawn down after every charge and discount, in priority
 * order (lower number first), then the grant that expires first (no expiry last), then by id so
 * the order is stable. A grant counts on the invoice's issue date: granted on or before it and
 * not yet expired (expiresOn is exclusive: a grant expiring on the issue date is not used).
 * Credits stop at zero: they never make an invoice negative.
 */
import type { ContractTerms, Coupon, CreditGrant, Wallet } from '../contracts/terms.js';
import { decimal, exponentOf, majorToMinor, minorToMajor } from '../money.js';
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

/** The balance key of a coupon and of a wallet's top-up (a grant's key is its id). */
export const couponKey = (id: string) => `coupon:${id}`;
export const topUpKey = (walletId: string, index: number) => `wallet:${walletId}:${index}`;

/** A top-up's money value: credits ÷ rate, rounded down to the minor unit. */
export function topUpMinor(wallet: Wallet, credits: string, currency: string): number {
  return decimal(credits)
    .div(wallet.rate)
    .mul(decimal(10).pow(exponentOf(currency)))
    .floor()
    .toNumber();
}

/** Money (minor units) back into the wallet's credits: minor × rate ÷ 10^exponent. */
function creditsOf(wallet: Wallet, minor: number, currency: string): string {
  return decimal(minor)
    .mul(wallet.rate)
    .div(decimal(10).pow(exponentOf(currency)))
    .toString();
}

/**
 * Every balance a contract's invoices draw down once, keyed as the draws are stored (an
 * invoice line's source_ref): credit grants by id, coupons `coupon:ID`, wallet top-ups
 * `wallet:ID:N`; each with its full amount in minor units.
 */
export function balanceAmounts(terms: Pick<ContractTerms, 'credits' | 'coupons' | 'wallets' | 'currency'>) {
  const amounts: Record<string, number> = {};
  for (const g of terms.credits ?? []) amounts[g.id] = majorToMinor(g.amount, terms.currency);
  for (const c of terms.coupons ?? []) amounts[couponKey(c.id)] = majorToMinor(c.amount, terms.currency);
  for (const w of terms.wallets ?? []) {
    w.topUps.forEach((t, i) => {
      amounts[topUpKey(w.id, i)] = topUpMinor(w, t.credits, terms.currency);
    });
  }
  return amounts;
}

/**
 * Wallet top-ups in the shape of credit grants (money value, bought on, expiry), for readers that
 * report unspent prepaid credit per customer: a wallet is customer credit like a grant.
 */
export function topUpGrants(terms: Pick<ContractTerms, 'wallets' | 'currency'>): CreditGrant[] {
  return (terms.wallets ?? []).flatMap((w) =>
    w.topUps.map((t, i) => ({
      id: topUpKey(w.id, i),
      amount: minorToMajor(topUpMinor(w, t.credits, terms.currency), terms.currency),
      priority: 1000,
      grantedOn: t.on,
      ...(t.expiresOn !== undefined ? { expiresOn: t.expiresOn } : {}),
    })),
  );
}

/** What is left of every balance of `terms` after what was drawn (≤ 0 per key), never below 0. */
export function remainingTermBalances(
  terms: Pick<ContractTerms, 'credits' | 'coupons' | 'wallets' | 'currency'>,
  drawnMinor: ReadonlyMap<string, number>,
): Record<string, number> {
  const balances = balanceAmounts(terms);
  for (const key of Object.keys(balances)) balances[key] = Math.max(0, balances[key]! + (drawnMinor.get(key) ?? 0));
  return balances;
}

type Drawn = { lines: InvoiceLineComputation[]; used: { grantId: string; amountMinor: number }[] };

function usableCoupons(coupons: readonly Coupon[], startDate: string, on: string): Coupon[] {
  return coupons
    .filter((c) => (c.appliesFrom ?? startDate) <= on && (c.expiresOn === undefined || c.expiresOn > on))
    .sort((a, b) => (a.appliesFrom ?? startDate).localeCompare(b.appliesFrom ?? startDate) || a.id.localeCompare(b.id));
}

/**
 * Fixed-amount coupons as balances: each takes off what it has left, up to what is due, as a
 * discount line (before tax, before prepaid credits); the rest of it carries to later invoices.
 */
export function couponLines(ctx: LineContext, dueMinor: number, on: string): Drawn {
  const lines: InvoiceLineComputation[] = [];
  const used: Drawn['used'] = [];
  let remaining = dueMinor;
  for (const coupon of usableCoupons(ctx.terms.coupons ?? [], ctx.terms.startDate, on)) {
    if (remaining <= 0) break;
    const key = couponKey(coupon.id);
    const full = majorToMinor(coupon.amount, ctx.currency, ctx.rounding);
    const balance = Math.max(0, ctx.creditBalances?.[key] ?? full);
    const amount = Math.min(balance, remaining);
    if (amount <= 0) continue;
    remaining -= amount;
    used.push({ grantId: key, amountMinor: amount });
    lines.push({
      lineKind: 'discount',
      sourceRef: key,
      sku: null,
      description: `Coupon ${coupon.label ?? coupon.id}`,
      quantity: '1',
      unitAmount: '0',
      amountMinor: -amount,
      detail: {
        coupon: coupon.id,
        couponMinor: full,
        balanceBeforeMinor: balance,
        balanceAfterMinor: balance - amount,
        expiresOn: coupon.expiresOn ?? null,
      },
    });
  }
  return { lines, used };
}

/** Wallet top-ups usable on `on` (bought on or before it, not expired), earliest expiry first. */
function usableTopUps(wallets: readonly Wallet[], currency: string, on: string) {
  return wallets
    .flatMap((w) => w.topUps.map((t, i) => ({ wallet: w, topUp: t, key: topUpKey(w.id, i) })))
    .filter(({ topUp }) => topUp.on <= on && (topUp.expiresOn === undefined || topUp.expiresOn > on))
    .map((u) => ({ ...u, fullMinor: topUpMinor(u.wallet, u.topUp.credits, currency) }))
    .sort(
      (a, b) =>
        (a.topUp.expiresOn ?? '9999-12-31').localeCompare(b.topUp.expiresOn ?? '9999-12-31') ||
        a.topUp.on.localeCompare(b.topUp.on) ||
        a.key.localeCompare(b.key),
    );
}

export function creditLines(ctx: LineContext, dueMinor: number, on: string): Drawn {
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
  // Wallets after the grants: each top-up's credits, converted at the wallet's rate.
  for (const { wallet, topUp, key, fullMinor } of usableTopUps(ctx.terms.wallets ?? [], ctx.currency, on)) {
    if (remaining <= 0) break;
    const balance = Math.max(0, ctx.creditBalances?.[key] ?? fullMinor);
    const amount = Math.min(balance, remaining);
    if (amount <= 0) continue;
    remaining -= amount;
    used.push({ grantId: key, amountMinor: amount });
    lines.push({
      lineKind: 'credit',
      sourceRef: key,
      sku: null,
      description: `Wallet ${wallet.id}: ${creditsOf(wallet, amount, ctx.currency)} credits`,
      quantity: creditsOf(wallet, amount, ctx.currency),
      unitAmount: '0',
      amountMinor: -amount,
      detail: {
        wallet: wallet.id,
        rate: wallet.rate,
        topUpOn: topUp.on,
        expiresOn: topUp.expiresOn ?? null,
        creditsUsed: creditsOf(wallet, amount, ctx.currency),
        creditsLeft: creditsOf(wallet, balance - amount, ctx.currency),
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
