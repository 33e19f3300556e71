/**
 * An org's tax setup (issue #12): which engine its invoices use, the manual rate table of an org
 * without one, tax codes per product and engine, and customers' exemption certificate numbers.
 * Every function takes the org id.
 */
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { ManualTaxRate } from '../../domain/manual-tax.js';
import { type Db, newId } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { customerTaxExemptions, orgTaxSettings, products, productTaxCodes, taxRates } from '../schema.js';

export type TaxEngineChoice = 'avalara' | 'anrok' | 'manual';

const taxEngineOf = (db: Db) =>
  db
    .select({ engine: orgTaxSettings.engine })
    .from(orgTaxSettings)
    .where(eq(orgTaxSettings.orgId, sql.placeholder('orgId')))
    .prepare();

/** Asked by every tax, collect and ERP step: prepared once per connection (src/db/prepared.ts). */
export async function getTaxEngineChoice(db: Db, orgId: string): Promise<TaxEngineChoice | null> {
  const prepared = preparedOnce(db, 'taxEngineOf', taxEngineOf);
  const [row] = prepared
    ? await prepared.all({ orgId })
    : await db.select({ engine: orgTaxSettings.engine }).from(orgTaxSettings).where(eq(orgTaxSettings.orgId, orgId));
  return row?.engine ?? null;
}

export async function setTaxEngineChoice(db: Db, orgId: string, engine: TaxEngineChoice | null, now: string) {
  await db
    .insert(orgTaxSettings)
    .values({ orgId, engine, updatedAt: now })
    .onConflictDoUpdate({ target: orgTaxSettings.orgId, set: { engine, updatedAt: now } });
}

export interface TaxRateRow extends ManualTaxRate {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** Every rate of the org (the manual engine reads them all: a table a person keeps is small). */
export async function allTaxRates(db: Db, orgId: string): Promise<TaxRateRow[]> {
  return db.select().from(taxRates).where(eq(taxRates.orgId, orgId)).orderBy(asc(taxRates.id));
}

/** A page of rates in id order after `cursor`. */
export async function taxRatePage(db: Db, orgId: string, limit: number, cursor?: string): Promise<TaxRateRow[]> {
  return db
    .select()
    .from(taxRates)
    .where(cursor ? and(eq(taxRates.orgId, orgId), gt(taxRates.id, cursor)) : eq(taxRates.orgId, orgId))
    .orderBy(asc(taxRates.id))
    .limit(limit);
}

/** Sets the rate of (jurisdiction, product tax code): one row per pair, updated in place. */
export async function upsertTaxRate(db: Db, orgId: string, rate: ManualTaxRate, now: string): Promise<TaxRateRow> {
  const [row] = await db
    .insert(taxRates)
    .values({ id: newId('txr'), orgId, ...rate, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [taxRates.orgId, taxRates.jurisdiction, taxRates.productTaxCode],
      set: { rate: rate.rate, updatedAt: now },
    })
    .returning();
  return row!;
}

export async function deleteTaxRate(db: Db, orgId: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(taxRates)
    .where(and(eq(taxRates.orgId, orgId), eq(taxRates.id, id)))
    .returning({ id: taxRates.id });
  return deleted.length > 0;
}

/** The tax codes of these products at one engine, by product id. */
export async function taxCodesOf(
  db: Db,
  orgId: string,
  engine: string,
  productIds: readonly string[],
): Promise<Map<string, string>> {
  if (productIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(productTaxCodes)
    .where(
      and(
        eq(productTaxCodes.orgId, orgId),
        eq(productTaxCodes.engine, engine as TaxEngineChoice),
        inArray(productTaxCodes.productId, [...new Set(productIds)]),
      ),
    );
  return new Map(rows.map((r) => [r.productId, r.code]));
}

/** Every engine's tax code of one product. */
export async function productTaxCodesOf(db: Db, orgId: string, productId: string): Promise<Record<string, string>> {
  const rows = await db
    .select()
    .from(productTaxCodes)
    .where(and(eq(productTaxCodes.orgId, orgId), eq(productTaxCodes.productId, productId)));
  return Object.fromEntries(rows.map((r) => [r.engine, r.code]));
}

/** Sets (or, with null, clears) a product's tax code at one engine. */
export async function setProductTaxCode(
  db: Db,
  orgId: string,
  productId: string,
  engine: TaxEngineChoice,
  code: string | null,
  now: string,
): Promise<void> {
  const where = and(
    eq(productTaxCodes.orgId, orgId),
    eq(productTaxCodes.productId, productId),
    eq(productTaxCodes.engine, engine),
  );
  if (code === null) {
    await db.delete(productTaxCodes).where(where);
    return;
  }
  await db
    .insert(productTaxCodes)
    .values({ orgId, productId, engine, code, updatedAt: now })
    .onConflictDoUpdate({
      target: [productTaxCodes.orgId, productTaxCodes.productId, productTaxCodes.engine],
      set: { code, updatedAt: now },
    });
}

export async function exemptionNumberOf(db: Db, orgId: string, customerId: string): Promise<string | null> {
  const [row] = await db
    .select()
    .from(customerTaxExemptions)
    .where(and(eq(customerTaxExemptions.orgId, orgId), eq(customerTaxExemptions.customerId, customerId)));
  return row?.exemptionNumber ?? null;
}

/** Sets (or, with null, clears) the customer's exemption certificate number. */
export async function setExemptionNumber(
  db: Db,
  orgId: string,
  customerId: string,
  exemptionNumber: string | null,
  now: string,
): Promise<void> {
  if (exemptionNumber === null) {
    await db
      .delete(customerTaxExemptions)
      .where(and(eq(customerTaxExemptions.orgId, orgId), eq(customerTaxExemptions.customerId, customerId)));
    return;
  }
  await db
    .insert(customerTaxExemptions)
    .values({ orgId, customerId, exemptionNumber, updatedAt: now })
    .onConflictDoUpdate({
      target: [customerTaxExemptions.orgId, customerTaxExemptions.customerId],
      set: { exemptionNumber, updatedAt: now },
    });
}

/** Whether the org has this product (the tax codes route names only products that exist). */
export async function productExists(db: Db, orgId: string, productId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: products.id })
    .from(products)
    .where(and(eq(products.orgId, orgId), eq(products.id, productId)));
  return row !== undefined;
}
