/**
 * Transactions: createEphemeral (computes, stores nothing), createOrUpdate (keyed by the caller's
 * id: creates it, or updates it in place with the version bumped), createNegation (a new
 * transaction that is the exact negative of one recorded), void, and list (cursor pages).
 * Paths and shapes: ../shared/apispecs/anrok.json (operations).
 */
import type { Context, Hono } from 'hono';
import { calculationAnswer, parseAndTax } from './engine.js';
import { badRequest, conflict } from './errors.js';
import type { AnrokSim, SimTransaction } from './state.js';

const readJson = async (c: Context): Promise<unknown> => c.req.json().catch(() => undefined);

/** A stored transaction as NormalTransactionResponse / VoidedTransactionResponse. */
export function renderTransaction(tx: SimTransaction) {
  const head = { id: tx.id, anrokCreatedTime: tx.createdTime, anrokModifiedTime: tx.modifiedTime };
  if (tx.type === 'void') return { type: 'void' as const, ...head };
  const preTax = tx.lines.reduce((s, l) => s + l.amount, 0);
  const tax = tx.lines.reduce((s, l) => s + l.tax, 0);
  return {
    type: 'normal' as const,
    ...head,
    body: {
      accountingDate: tx.accountingDate,
      taxDate: tx.taxDate,
      currencyCode: tx.currencyCode,
      customer: tx.customerId ? { id: tx.customerId } : null,
      addresses: [{ type: 'customer', ...tx.customerAddress }],
      inputAmount: preTax,
      preTaxAmount: String(preTax),
      taxAmountDue: tax,
      invoiceTotalAmountExpected: preTax + tax,
      lineItems: tx.lines.map((l) => ({
        id: l.id,
        product: { externalId: l.productExternalId },
        quantity: l.quantity,
        inputAmount: l.amount,
        preTaxAmount: String(l.amount),
        taxAmountDue: l.tax,
      })),
    },
  };
}

export function transactionRoutes(app: Hono, sim: AnrokSim): void {
  const { state } = sim;
  const today = () => sim.now().toISOString().slice(0, 10);
  const jurisOf = (address: Record<string, string>) =>
    `${(address.country ?? '').toLowerCase()}-${(address.region ?? '').toUpperCase()}`;

  app.post('/v1/seller/transactions/createEphemeral', async (c) => {
    const parsed = parseAndTax(await readJson(c), state, sim.rates, today());
    if (!parsed.ok) {
      return parsed.error.status === 400 ? badRequest(c, parsed.error.message) : conflict(c, parsed.error.body);
    }
    return c.json(calculationAnswer(parsed.value.lines, jurisOf(parsed.value.customerAddress)));
  });

  app.post('/v1/seller/transactions/createOrUpdate', async (c) => {
    const parsed = parseAndTax(await readJson(c), state, sim.rates, today());
    if (!parsed.ok) {
      return parsed.error.status === 400 ? badRequest(c, parsed.error.message) : conflict(c, parsed.error.body);
    }
    const { id, ...body } = parsed.value;
    if (!id) return badRequest(c, 'id: required string');
    const existing = state.find(id);
    // A voided transaction is final (and a negation is Anrok's own): neither changes again.
    if (existing && (existing.type === 'void' || existing.negationOf)) {
      return conflict(c, { type: 'transactionFrozenForFiling' });
    }
    const now = sim.now().toISOString();
    const tx: SimTransaction = {
      ...body,
      id,
      type: 'normal',
      version: (existing?.version ?? 0) + 1,
      negationOf: null,
      createdTime: existing?.createdTime ?? now,
      modifiedTime: now,
    };
    state.transactions.set(id, tx);
    return c.json({ version: tx.version, ...calculationAnswer(tx.lines, jurisOf(tx.customerAddress)) });
  });

  app.post('/v1/seller/transactions/createNegation', async (c) => {
    const b = ((await readJson(c)) ?? {}) as Record<string, unknown>;
    const originalId = typeof b.originalTransactionId === 'string' ? b.originalTransactionId : '';
    const newId = typeof b.newTransactionId === 'string' ? b.newTransactionId : '';
    if (!originalId || !newId) return badRequest(c, 'originalTransactionId and newTransactionId: required strings');
    const original = state.find(originalId);
    const already = state.find(newId);
    // The same negation again is the one already made; any other use of the id is a conflict.
    if (already)
      return already.negationOf === originalId ? c.json({}) : conflict(c, { type: 'newTransactionIdAlreadyUsed' });
    if (!original) return conflict(c, { type: 'originalTransactionNotFound' });
    if (original.type === 'void') return conflict(c, { type: 'originalTransactionVoided' });
    if (
      typeof b.originalTransactionExpectedVersion === 'number' &&
      b.originalTransactionExpectedVersion !== original.version
    ) {
      return conflict(c, { type: 'originalTransactionVersionMismatch' });
    }
    const now = sim.now().toISOString();
    state.transactions.set(newId, {
      ...original,
      id: newId,
      version: 1,
      lines: original.lines.map((l) => ({ ...l, amount: -l.amount, tax: -l.tax })),
      negationOf: originalId,
      createdTime: now,
      modifiedTime: now,
    });
    return c.json({});
  });

  app.post('/v1/seller/transactions/:segment/void', async (c) => {
    const segment = c.req.param('segment');
    if (!segment.startsWith('id:')) return c.notFound();
    const id = decodeURIComponent(segment.slice(3));
    const b = ((await readJson(c)) ?? {}) as Record<string, unknown>;
    const tx = state.find(id);
    if (!tx) return conflict(c, { type: 'transactionNotFound' });
    if (tx.type === 'void') return conflict(c, { type: 'transactionAlreadyVoided' });
    if (typeof b.transactionExpectedVersion === 'number' && b.transactionExpectedVersion !== tx.version) {
      return conflict(c, { type: 'transactionVersionMismatch' });
    }
    state.transactions.set(id, { ...tx, type: 'void', version: tx.version + 1, modifiedTime: sim.now().toISOString() });
    return c.json({});
  });

  app.post('/v1/seller/transactions/list', async (c) => {
    const b = ((await readJson(c)) ?? {}) as Record<string, unknown>;
    const limit = typeof b.limit === 'number' && b.limit > 0 ? Math.min(b.limit, 100) : 20;
    const start = typeof b.cursor === 'string' && /^\d+$/.test(b.cursor) ? Number(b.cursor) : 0;
    const all = [...state.transactions.values()];
    const page = all.slice(start, start + limit);
    const hasMore = start + limit < all.length;
    return c.json({
      transactions: page.map(renderTransaction),
      ...(hasMore ? { nextCursor: String(start + limit) } : {}),
      hasMore,
    });
  });
}
