/**
 * Anrok adapter for the TaxPort (REST over fetch: client.ts).
 *
 * Anrok's invoice lifecycle (../shared/apispecs/anrok.json: invoice_lifecycle_per_spec): a draft
 * or preview is `createEphemeral` (computed, nothing stored); a finalized invoice is
 * `createOrUpdate`, keyed by OUR id (the invoice number), which records the transaction — there
 * is no separate commit — and, called again with the same id, updates it instead of adding one,
 * so it is its own idempotency key (Anrok has no idempotency header). A credit note of the whole
 * invoice is `createNegation`; a partial one is a transaction of its own with negative amounts,
 * taxed as of the sale's date. A void is `id:{id}/void`. Anrok has no get-by-id: lookups page
 * through `transactions/list`.
 */
import { type Failure, type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { TaxPort, TaxRequest, TaxResult } from '../ports.js';
import { createAnrokClient, transactionPath } from './client.js';
import { AnrokHttpError, classifyAnrokError } from './errors.js';
import { fromCalculation, fromListed, returnTransactionId, toReturnBody, toTransactionBody } from './map.js';

export interface AnrokAdapterConfig {
  /** https://api.anrok.com, or the simulator's loopback URL. */
  baseUrl: string;
  apiKey: string;
  /**
   * Anrok tax category for products the hub registers itself (a line whose product Anrok does not
   * know yet). Without it an unknown product is refused with Anrok's reason, for a person to map.
   */
  defaultTaxCategoryId?: string;
  now?: () => Date;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Transactions per list page while looking one up (Anrok's list has no id filter). */
const LIST_PAGE = 100;

export function createAnrokAdapter(config: AnrokAdapterConfig): TaxPort {
  const call = createAnrokClient(config);
  const now = config.now ?? (() => new Date());

  const fail = (error: unknown, write: boolean): Failure => {
    const failure = classifyAnrokError(error, { write, now: now() });
    if (!failure) throw error;
    return failure;
  };

  /**
   * A call whose lines name products: each product Anrok does not know yet is registered once
   * (products/create with the default tax category) and the call is repeated.
   */
  async function withProducts(
    path: string,
    body: object,
    names: ReadonlyMap<string, string>,
    write: boolean,
  ): Promise<Outcome<Record<string, unknown>>> {
    // Anrok names one unknown product per answer: each is registered once, then the call repeats.
    const registered = new Set<string>();
    for (;;) {
      try {
        return ok((await call(path, body)) as Record<string, unknown>);
      } catch (error) {
        const unknown = unknownProduct(error);
        if (!unknown || registered.has(unknown) || !config.defaultTaxCategoryId) return fail(error, write);
        registered.add(unknown);
        const created = await createProduct(unknown, names.get(unknown) ?? unknown);
        if (!created.ok) return created;
      }
    }
  }

  async function createProduct(externalId: string, name: string): Promise<Outcome<void>> {
    try {
      await call('/v1/seller/products/create', { externalId, taxCategoryId: config.defaultTaxCategoryId!, name });
      return ok(undefined);
    } catch (error) {
      // Registered meanwhile (another invoice, a retry): what we wanted.
      if (error instanceof AnrokHttpError && error.status === 409) return ok(undefined);
      return fail(error, true);
    }
  }

  /** The transaction with this id, paging through transactions/list; null when Anrok has none. */
  async function find(id: string): Promise<Outcome<Record<string, unknown> | null>> {
    let cursor: string | undefined;
    for (;;) {
      let page: { transactions?: unknown; nextCursor?: unknown; hasMore?: unknown };
      try {
        page = (await call('/v1/seller/transactions/list', {
          limit: LIST_PAGE,
          ...(cursor ? { cursor } : {}),
        })) as typeof page;
      } catch (error) {
        return fail(error, false);
      }
      const transactions = (Array.isArray(page.transactions) ? page.transactions : []) as Record<string, unknown>[];
      const hit = transactions.find((t) => t.id === id);
      if (hit) return ok(hit);
      if (page.hasMore !== true || typeof page.nextCursor !== 'string') return ok(null);
      cursor = page.nextCursor;
    }
  }

  const namesOf = (request: Pick<TaxRequest, 'lines'>) =>
    new Map(request.lines.map((l) => [l.taxCode ?? l.itemCode, l.description]));

  const port: TaxPort = {
    vendor: 'anrok',
    // Anrok takes no tax override: a return's tax is Anrok's own, at the sale's date.
    fixesReturnTax: false,

    async quote(request) {
      const body = toTransactionBody(request);
      if (!body.ok) return body;
      const answer = await withProducts('/v1/seller/transactions/createEphemeral', body.value, namesOf(request), false);
      if (!answer.ok) return answer;
      return ok(fromCalculation(answer.value, request, { id: '', state: 'estimate', isReturn: false }));
    },

    /**
     * No address service in Anrok's API: an ephemeral transaction without lines makes Anrok
     * resolve the customer address (409 customerAddressCouldNotResolve when it cannot) and store nothing.
     */
    async validateAddress(address) {
      const { line1, city, region, postalCode, country } = address;
      try {
        await call('/v1/seller/transactions/createEphemeral', {
          currencyCode: 'USD',
          customerAddress: { line1, city, region, postalCode, country },
          lineItems: [],
        });
        return ok({ valid: true, address });
      } catch (error) {
        const failure = fail(error, false);
        if (failure.kind === 'permanent' && error instanceof AnrokHttpError && error.status === 409) {
          return ok({ valid: false, reason: failure.reason.replace(/^Anrok rejected the request: /, '') });
        }
        return failure;
      }
    },

    // options.idempotencyKey is not sent: our transaction id is Anrok's key (see above).
    async recordSale(request, _options) {
      if (!request.commit) return port.quote(request);
      const body = toTransactionBody(request, { id: request.documentCode });
      if (!body.ok) return body;
      const answer = await withProducts('/v1/seller/transactions/createOrUpdate', body.value, namesOf(request), true);
      if (!answer.ok) return answer;
      return ok(
        fromCalculation(answer.value, request, { id: request.documentCode, state: 'committed', isReturn: false }),
      );
    },

    findByDocumentCode: async (documentCode) => {
      const found = await find(documentCode);
      return found.ok ? ok(found.value && fromListed(found.value, documentCode, false)) : found;
    },

    async recordReturn(request, _options) {
      const id = returnTransactionId(request.documentCode);
      if (request.wholeSale) {
        // createNegation answers `{}`: the negation's tax is read back from the list.
        try {
          await call('/v1/seller/transactions/createNegation', {
            originalTransactionId: request.originalDocumentCode,
            newTransactionId: id,
          });
        } catch (error) {
          const failure = fail(error, true);
          // A 409 may be the negation made by an earlier try: the lookup below tells.
          if (!(error instanceof AnrokHttpError && error.status === 409)) return failure;
          const earlier = await find(id);
          if (!earlier.ok || !earlier.value) return failure;
        }
        const made = await find(id);
        if (!made.ok) return made;
        if (!made.value) return permanent(`Anrok has no negation ${id} after creating it`);
        return ok(fromListed(made.value, request.documentCode, true));
      }
      const body = toReturnBody(request);
      if (!body.ok) return body;
      const answer = await withProducts('/v1/seller/transactions/createOrUpdate', body.value, namesOf(request), true);
      if (!answer.ok) return answer;
      return ok(fromCalculation(answer.value, request, { id, state: 'committed', isReturn: true }));
    },

    findReturnByDocumentCode: async (documentCode) => {
      const found = await find(returnTransactionId(documentCode));
      return found.ok ? ok(found.value && fromListed(found.value, documentCode, true)) : found;
    },

    /**
     * Voids the transaction (POST id:{id}/void, body `{}`). A transaction voided before answers
     * its voided state again; one Anrok does not hold is permanent.
     */
    async voidDocument(documentCode, kind) {
      const id = kind === 'sale' ? documentCode : returnTransactionId(documentCode);
      const before = await find(id);
      if (!before.ok) return before;
      if (!before.value) return permanent(`Anrok has no transaction ${id} to void`);
      const current = fromListed(before.value, documentCode, kind === 'return');
      if (current.state === 'voided') return ok(current);
      try {
        await call(transactionPath(id, 'void'), {});
      } catch (error) {
        const failure = fail(error, true);
        if (failure.kind === 'retryable' || failure.kind === 'indeterminate') return failure;
        const after = await find(id);
        if (after.ok && after.value?.type === 'void')
          return ok(fromListed(after.value, documentCode, kind === 'return'));
        return failure;
      }
      return ok({ ...current, status: 'void', state: 'voided' } satisfies TaxResult);
    },
  };
  return port;
}

function unknownProduct(error: unknown): string | undefined {
  if (!(error instanceof AnrokHttpError) || error.type !== 'productExternalIdUnknown') return undefined;
  const product = (error.body as { productExternalId?: unknown }).productExternalId;
  return typeof product === 'string' ? product : undefined;
}
