/**
 * The ERP customer and items a document needs before it is posted, shared by the invoice's
 * posting (post-invoice-to-erp) and the credit memo (issue-credit-note): each is created once per
 * customer or product (a recorded external ref is reused, so a credit note finds the ones its
 * invoice created), found by its natural key when an earlier attempt's outcome is unknown.
 */
import { productsByIds } from '../src/db/repos/billing.js';
import { ok } from '../src/domain/outcome.js';
import { type Ensured, ensureExternal } from './external.js';
import { numberedInvoiceFor } from './load.js';
import type { StepSpec } from './types.js';

/** The ERP item of the rounding line (src/domain/payable.ts), keyed like a product in the items map. */
export const ROUNDING_ITEM = 'rounding';
const ROUNDING_SKU = 'ROUNDING';

/** Which document (invoice or credit note) a flow's input names. */
type DocumentOf<I> = (input: I) => string;

export function erpCustomerStep<I>(
  documentOf: DocumentOf<I>,
): StepSpec<I, object, 'createErpCustomer', { externalId: string }> {
  return {
    name: 'createErpCustomer',
    storedAs: 'erp-customer',
    external: true,
    run: async (ctx) => {
      const loaded = await numberedInvoiceFor(ctx, documentOf(ctx.input));
      if (!loaded.ok) return loaded;
      // Loaded with the document (a missing customer is a permanent failure there).
      const { customer } = loaded.value;
      const { erp } = ctx.adapters;
      const ensured = await ensureExternal(ctx, {
        system: erp.vendor,
        objectType: 'customer',
        localId: customer.id,
        lookup: () => erp.findCustomer(customer.name),
        write: (idempotencyKey) =>
          erp.createCustomer(
            { localId: customer.id, displayName: customer.name, email: customer.email, currency: customer.currency },
            { idempotencyKey },
          ),
      });
      if (!ensured.ok) return ensured;
      return ok({ output: { externalId: ensured.value.externalId }, refs: [ensured.value.ref] });
    },
  };
}

/** ERP item id by our product id, one per product the document's lines name. */
export function erpItemsStep<I, P extends object>(
  documentOf: DocumentOf<I>,
): StepSpec<I, P, 'createErpItems', Record<string, string>> {
  return {
    name: 'createErpItems',
    storedAs: 'erp-items',
    external: true,
    run: async (ctx) => {
      const loaded = await numberedInvoiceFor(ctx, documentOf(ctx.input));
      if (!loaded.ok) return loaded;
      const productIds = [...new Set(loaded.value.lines.map((l) => l.productId))];
      const rows = await productsByIds(ctx.deps.db, ctx.orgId, productIds);
      const { erp, settings } = ctx.adapters;
      const ensured: Record<string, Ensured> = {};
      for (const product of rows) {
        const result = await ensureExternal(ctx, {
          system: erp.vendor,
          objectType: 'item',
          localId: product.id,
          lookup: () => erp.findItem(product.sku),
          write: (idempotencyKey) =>
            erp.createItem(
              { sku: product.sku, name: product.name, incomeAccountId: settings.erpIncomeAccountId },
              { idempotencyKey },
            ),
        });
        if (!result.ok) return result;
        ensured[product.id] = result.value;
      }
      // A rounded grand total (cash or provider rounding) is posted as one more line, so the
      // ERP invoice's lines and tax add up to the total the customer is charged.
      if ((loaded.value.invoice.roundingMinor ?? 0) !== 0) {
        const result = await ensureExternal(ctx, {
          system: erp.vendor,
          objectType: 'item',
          localId: ROUNDING_ITEM,
          lookup: () => erp.findItem(ROUNDING_SKU),
          write: (idempotencyKey) =>
            erp.createItem(
              { sku: ROUNDING_SKU, name: 'Rounding difference', incomeAccountId: settings.erpIncomeAccountId },
              { idempotencyKey },
            ),
        });
        if (!result.ok) return result;
        ensured[ROUNDING_ITEM] = result.value;
      }
      return ok({
        output: Object.fromEntries(Object.entries(ensured).map(([id, e]) => [id, e.externalId])),
        refs: Object.values(ensured).map((e) => e.ref),
      });
    },
  };
}
