/**
 * A customer's unspent credit, in ONE function so every kind of credit adds up in one place: the
 * prepaid credit grants of its deals' newest active terms, less what invoices drew from them
 * (credit lines, source_ref = grant id), plus the customer credit credit notes left and invoices
 * have not spent yet (customer-credit.ts). Org-scoped; ids travel as one JSON parameter (D1's
 * bound-parameter limit).
 */
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { topUpGrants } from '../../domain/billing/index.js';
import type { ContractTerms } from '../../domain/contracts/terms.js';
import { type Wallet, walletCredit } from '../../domain/customer-balance.js';
import type { Db } from '../client.js';
import { contracts, customerCreditEntries, invoiceLines, invoices } from '../schema.js';
import { inJson } from './in-json.js';

const walletKey = (system: string, deal: string) => `${system}|${deal}`;

/** Unspent credit per customer and currency on `today` (YYYY-MM-DD); a customer with none is absent. */
export async function customerCreditMinor(
  db: Db,
  orgId: string,
  customerIds: readonly string[],
  today: string,
): Promise<Map<string, Map<string, number>>> {
  const credit = new Map<string, Map<string, number>>();
  if (customerIds.length === 0) return credit;
  await addWalletCredit(db, orgId, customerIds, today, credit);
  const balances = await db
    .select({
      customerId: customerCreditEntries.customerId,
      currency: customerCreditEntries.currency,
      balance: sql<number>`sum(${customerCreditEntries.amountMinor})`,
    })
    .from(customerCreditEntries)
    .where(and(eq(customerCreditEntries.orgId, orgId), inJson(customerCreditEntries.customerId, customerIds)))
    .groupBy(customerCreditEntries.customerId, customerCreditEntries.currency);
  for (const b of balances) {
    const left = Number(b.balance);
    if (left <= 0) continue;
    const byCurrency = credit.get(b.customerId) ?? new Map<string, number>();
    byCurrency.set(b.currency, (byCurrency.get(b.currency) ?? 0) + left);
    credit.set(b.customerId, byCurrency);
  }
  return credit;
}

/** The prepaid credit grants' part: adds each customer's unspent grants to `credit`. */
async function addWalletCredit(
  db: Db,
  orgId: string,
  customerIds: readonly string[],
  today: string,
  credit: Map<string, Map<string, number>>,
): Promise<void> {
  const versions = await db
    .select({
      customerId: contracts.customerId,
      system: contracts.sourceSystem,
      deal: contracts.sourceDealId,
      version: contracts.version,
      terms: contracts.terms,
    })
    .from(contracts)
    .where(and(eq(contracts.orgId, orgId), eq(contracts.status, 'active'), inJson(contracts.customerId, customerIds)));
  // A deal's wallet is the grants of its newest active version (an amendment carries them on).
  const newest = new Map<string, (typeof versions)[number]>();
  for (const v of versions) {
    const key = walletKey(v.system, v.deal);
    if ((newest.get(key)?.version ?? -1) < v.version) newest.set(key, v);
  }
  const withGrants = [...newest.values()].flatMap((v) => {
    const terms = v.terms === null ? null : (JSON.parse(v.terms) as ContractTerms);
    // Wallet top-ups are customer credit too (coupons are discounts, not credit).
    const grants = terms === null ? [] : [...(terms.credits ?? []), ...topUpGrants(terms)];
    return grants.length > 0 ? [{ ...v, grants, currency: terms!.currency }] : [];
  });
  if (withGrants.length === 0) return;
  const draws = await db
    .select({
      system: contracts.sourceSystem,
      deal: contracts.sourceDealId,
      grant: invoiceLines.sourceRef,
      drawn: sql<number>`sum(${invoiceLines.amountMinor})`,
    })
    .from(invoiceLines)
    .innerJoin(invoices, and(eq(invoices.id, invoiceLines.invoiceId), eq(invoices.orgId, orgId)))
    .innerJoin(contracts, and(eq(contracts.id, invoices.contractId), eq(contracts.orgId, orgId)))
    .where(
      and(
        eq(invoiceLines.orgId, orgId),
        eq(invoiceLines.lineKind, 'credit'),
        isNotNull(invoiceLines.sourceRef),
        inJson(contracts.customerId, customerIds),
      ),
    )
    .groupBy(contracts.sourceSystem, contracts.sourceDealId, invoiceLines.sourceRef);
  const drawn = new Map<string, Map<string, number>>();
  for (const d of draws) {
    const key = walletKey(d.system, d.deal);
    const byGrant = drawn.get(key) ?? new Map<string, number>();
    byGrant.set(d.grant!, Number(d.drawn));
    drawn.set(key, byGrant);
  }
  const wallets = new Map<string, Wallet[]>();
  for (const v of withGrants) {
    const list = wallets.get(v.customerId) ?? [];
    list.push({
      grants: v.grants,
      currency: v.currency,
      drawnMinor: drawn.get(walletKey(v.system, v.deal)) ?? new Map(),
    });
    wallets.set(v.customerId, list);
  }
  for (const [customerId, list] of wallets) {
    const byCurrency = walletCredit(list, today);
    if (byCurrency.size > 0) credit.set(customerId, byCurrency);
  }
}
