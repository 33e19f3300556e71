/**
 * A stateful AvaTax REST v2 simulator (Hono, runtime-neutral) speaking AvaTax's paths, TransactionModel
 * shape and `{"error":{...}}` envelope. Idempotency works as in AvaTax: the document code is the key —
 * createoradjust adjusts the transaction with that code in place (same id, version bumped); create
 * refuses a code whose transaction is already committed (DocumentCodeConflict).
 * Paths: https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/
 */
import { type Context, Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { decodeTransactionCode } from '../map.js';
import {
  DEFAULT_RATES,
  errorEnvelope,
  type ParsedTransaction,
  parseCreateModel,
  type SimError,
  type SimTransaction,
  toTransactionModel,
} from './transactions-model.js';

export type { SimTransaction } from './transactions-model.js';
export { DEFAULT_RATES, OTHER_US_RATE } from './transactions-model.js';

/** Credentials the simulator accepts unless told otherwise (sandbox mode passes these to the adapter). */
export const SIMULATOR_CREDENTIALS = Object.freeze({ accountId: '2000000001', licenseKey: 'SIMULATOR-LICENSE-KEY' });

export interface AvalaraSimulatorOptions {
  /** Clock for modifiedDate; defaults to the system clock. */
  now?: () => Date;
  credentials?: { accountId: string; licenseKey: string };
  /** Rates by US state code, replacing DEFAULT_RATES. */
  rates?: Readonly<Record<string, string>>;
}

/** The simulated account: companies (created on first use) and their transactions. */
export class AvalaraSimState {
  private readonly companies = new Map<string, { id: number; transactions: Map<string, SimTransaction> }>();
  private nextTransactionId = 850_000_001;
  private nextCompanyId = 7_000_001;

  company(companyCode: string): { id: number; transactions: Map<string, SimTransaction> } {
    let company = this.companies.get(companyCode);
    if (!company) {
      company = { id: this.nextCompanyId++, transactions: new Map() };
      this.companies.set(companyCode, company);
    }
    return company;
  }

  allocateTransactionId(): number {
    return this.nextTransactionId++;
  }

  /** Saved transactions of a company (every document type). */
  transactions(companyCode: string): SimTransaction[] {
    return [...(this.companies.get(companyCode)?.transactions.values() ?? [])];
  }

  count(companyCode: string): number {
    return this.companies.get(companyCode)?.transactions.size ?? 0;
  }

  find(companyCode: string, code: string, type = 'SalesInvoice'): SimTransaction | undefined {
    return this.companies.get(companyCode)?.transactions.get(`${type}:${code}`);
  }
}

const ERRORS = {
  auth: {
    status: 401,
    code: 'AuthenticationException',
    number: 30,
    message: 'Authentication failed.',
    target: 'HttpRequestHeaders',
  },
  rate: {
    status: 429,
    code: 'RateLimitExceededError',
    number: 1723,
    message: 'Too many requests: the rate limit was exceeded.',
    target: 'HttpRequest',
  },
  server: {
    status: 500,
    code: 'ServerConfiguration',
    number: 1,
    message: 'An unexpected error occurred on the server.',
    target: 'AvaTaxApiServer',
    faultCode: 'Server',
  },
} satisfies Record<string, SimError>;

const send = (c: Context, e: SimError): Response => c.json(errorEnvelope(e), e.status as 400);

function faultError(status: number): SimError {
  if (status === 401) return ERRORS.auth;
  if (status === 429) return ERRORS.rate;
  return { ...ERRORS.server, status };
}

export function createAvalaraSimulator(options: AvalaraSimulatorOptions = {}) {
  const now = options.now ?? (() => new Date());
  const credentials = options.credentials ?? SIMULATOR_CREDENTIALS;
  const rates = options.rates ?? DEFAULT_RATES;
  const faults = new FaultPlan();
  const state = new AvalaraSimState();
  const app = new Hono();

  const authenticated = (c: Context): boolean => {
    const header = c.req.header('authorization') ?? '';
    if (!header.startsWith('Basic ')) return false;
    let decoded: string;
    try {
      decoded = atob(header.slice(6).trim());
    } catch {
      return false;
    }
    return decoded === `${credentials.accountId}:${credentials.licenseKey}`;
  };

  app.use(
    '*',
    faultMiddleware(faults, (status, c) => send(c, faultError(status))),
  );

  // Ping never fails; it reports whether the credentials were accepted.
  app.get('/api/v2/utilities/ping', (c) => {
    const ok = authenticated(c);
    return c.json({
      version: '26.9.0-simulator',
      authenticated: ok,
      authenticationType: ok ? 'AccountIdLicenseKey' : 'None',
      ...(ok ? { authenticatedAccountId: Number(credentials.accountId) } : {}),
    });
  });

  app.use('/api/v2/*', async (c, next) => {
    if (!authenticated(c)) return send(c, ERRORS.auth);
    await next();
  });

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

  app.notFound((c) =>
    send(c, {
      status: 404,
      code: 'EntityNotFoundError',
      number: 4,
      message: `No API at ${c.req.method} ${new URL(c.req.url).pathname}.`,
      target: 'HttpRequest',
    }),
  );
  app.onError((_err, c) => send(c, ERRORS.server));

  return { app, faults, state };
}

export type AvalaraSimulator = ReturnType<typeof createAvalaraSimulator>;
