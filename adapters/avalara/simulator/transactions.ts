/**
 * Transactions: create (refusing a code whose transaction is committed), createoradjust
 * (adjusting the transaction with that code in place: same id, version bumped), get, commit and void.
 * The document code is AvaTax's idempotency key. SalesOrder is an estimate: never saved.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/
 */
import type { Context, Hono } from 'hono';
import { decodeTransactionCode } from '../map.js';
import { type SimError, send } from './errors.js';
import type { AvalaraSim } from './state.js';
import {
  type ParsedTransaction,
  parseCreateModel,
  type SimTransaction,
  toTransactionModel,
} from './transactions-model.js';

export function transactionRoutes(app: Hono, sim: AvalaraSim): void {
  const { now, rates, state } = sim;
  const render = (tx: SimTransaction) => toTransactionModel(tx, rates);

  /** Creates, or adjusts in place, the transaction with the parsed code. SalesOrder is an estimate: never saved. */
  const record = (parsed: ParsedTransaction, conflictIfCommitted: boolean): SimTransaction | SimError => {
    const company = state.company(parsed.companyCode);
    const code = parsed.code ?? crypto.randomUUID();
    const status = parsed.commit ? 'Committed' : 'Saved';
    const modifiedDate = now().toISOString();
    if (parsed.type === 'SalesOrder') {
      return { ...parsed, code, id: 0, companyId: company.id, status: 'Temporary', version: 1, modifiedDate };
    }
    const key = `${parsed.type}:${code}`;
    const existing = company.transactions.get(key);
    if (existing && conflictIfCommitted && existing.status === 'Committed') {
      return {
        status: 400,
        code: 'DocumentCodeConflict',
        number: 303,
        message: `A committed ${parsed.type} with code '${code}' already exists; use CreateOrAdjustTransaction.`,
        target: 'IncorrectData',
        refersTo: 'code',
      };
    }
    const tx: SimTransaction = {
      ...parsed,
      code,
      id: existing?.id ?? state.allocateTransactionId(),
      companyId: company.id,
      status,
      version: (existing?.version ?? 0) + 1,
      modifiedDate,
    };
    company.transactions.set(key, tx);
    return tx;
  };

  const readJson = async (c: Context): Promise<unknown> => {
    try {
      return await c.req.json();
    } catch {
      return undefined;
    }
  };

  const handleCreate = async (c: Context, body: unknown, conflictIfCommitted: boolean) => {
    const parsed = parseCreateModel(body);
    if (!parsed.ok) return send(c, parsed.error);
    const result = record(parsed.value, conflictIfCommitted);
    if ('number' in result) return send(c, result);
    return c.json(render(result), 201);
  };

  app.post('/api/v2/transactions/create', async (c) => handleCreate(c, await readJson(c), true));

  app.post('/api/v2/transactions/createoradjust', async (c) => {
    const body = await readJson(c);
    const model = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (typeof model.createTransactionModel !== 'object' || model.createTransactionModel === null) {
      return send(c, {
        status: 400,
        code: 'ValueRequiredError',
        number: 5,
        message: "Field 'createTransactionModel' is required.",
        target: 'IncorrectData',
        refersTo: 'createTransactionModel',
      });
    }
    return handleCreate(c, model.createTransactionModel, false);
  });

  const lookup = (c: Context): SimTransaction | undefined =>
    state.find(
      decodeTransactionCode(c.req.param('companyCode') ?? ''),
      decodeTransactionCode(c.req.param('transactionCode') ?? ''),
      c.req.query('documentType') ?? 'SalesInvoice',
    );

  const notFound = (c: Context) =>
    send(c, {
      status: 404,
      code: 'EntityNotFoundError',
      number: 4,
      message: `Document with code '${decodeTransactionCode(c.req.param('transactionCode') ?? '')}' not found.`,
      target: 'HttpRequest',
      refersTo: 'transactionCode',
    });

  app.get('/api/v2/companies/:companyCode/transactions/:transactionCode', (c) => {
    const tx = lookup(c);
    return tx ? c.json(render(tx)) : notFound(c);
  });

  app.post('/api/v2/companies/:companyCode/transactions/:transactionCode/commit', async (c) => {
    const tx = lookup(c);
    if (!tx) return notFound(c);
    const body = (await readJson(c)) as { commit?: unknown } | undefined;
    tx.status = body?.commit === false ? 'Saved' : 'Committed';
    tx.modifiedDate = now().toISOString();
    return c.json(render(tx));
  });

  // VoidTransaction: body {"code": "DocVoided"}; the document is kept with status Cancelled.
  // A document voided before cannot be voided again.
  app.post('/api/v2/companies/:companyCode/transactions/:transactionCode/void', async (c) => {
    const tx = lookup(c);
    if (!tx) return notFound(c);
    const body = (await readJson(c)) as { code?: unknown } | undefined;
    if (body?.code !== 'DocVoided') {
      return send(c, {
        status: 400,
        code: 'ValueRequiredError',
        number: 5,
        message: "Field 'code' is required; to void a transaction it must be 'DocVoided'.",
        target: 'IncorrectData',
        refersTo: 'code',
      });
    }
    if (tx.status === 'Cancelled') {
      return send(c, {
        status: 400,
        code: 'CannotModifyDeletedTransaction',
        number: 1207,
        message: `Transaction '${tx.code}' has already been voided.`,
        target: 'IncorrectData',
        refersTo: 'transactionCode',
      });
    }
    tx.status = 'Cancelled';
    tx.modifiedDate = now().toISOString();
    return c.json(render(tx));
  });
}
