/**
 * Sorting Anrok failures at the adapter boundary. Anrok answers 400 with a JSON string (a
 * message), 409 with `{"type": <reason>, ...}` (e.g. `customerAddressCouldNotResolve`,
 * `productExternalIdUnknown`), and 429 as text/plain with a `Retry-After` in seconds
 * (the Anrok API description, ../shared/apispecs/anrok.json: errors, rate_limits).
 */
import {
  type Failure,
  indeterminate,
  parseRetryAfter,
  permanent,
  reconnectRequired,
  retryable,
} from '../../src/domain/outcome.js';
import { withoutFlowPrefix } from '../../src/domain/reconnect.js';

/** How rejected credentials' reason starts. */
export const CREDENTIALS_REJECTED = 'Anrok API key rejected (check the connection’s API key)';

/** Anrok answered with a status that is not a success. */
export class AnrokHttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
    /** The parsed body: a 409's `{type}` object, a 400's message string, or the raw text. */
    readonly body: unknown,
  ) {
    super(`Anrok answered HTTP ${status}`);
    this.name = 'AnrokHttpError';
  }

  /** A 409's reason (`customerAddressCouldNotResolve`, ...), when it has one. */
  get type(): string | undefined {
    const b = this.body as { type?: unknown } | null;
    return typeof b === 'object' && b !== null && typeof b.type === 'string' ? b.type : undefined;
  }
}

/** The connection failed before (`request`) or while (`response`) the answer arrived. */
export class AnrokTransportError extends Error {
  constructor(
    readonly phase: 'request' | 'response',
    failure: unknown,
    readonly status?: number,
  ) {
    super(`Anrok connection failed during ${phase}: ${failure instanceof Error ? failure.message : String(failure)}`, {
      cause: failure,
    });
    this.name = 'AnrokTransportError';
  }
}

/** A person reads these; the 409 types are Anrok's CreateTransactionCannotComputeTaxAmount reasons. */
const REASONS: Record<string, string> = {
  customerAddressCouldNotResolve: 'Anrok could not resolve the customer address',
  jurisNotFound: 'Anrok found no tax jurisdiction for the customer address',
  currencyCodeNotSupported: 'Anrok does not support the currency',
  customerIdNotFound: 'Anrok has no customer with this id (exemptions are kept on the Anrok customer)',
  productExternalIdUnknown: 'Anrok has no product with this external id',
  productTaxCategoryNotSupportedForJuris: 'the product’s Anrok tax category is not supported in the jurisdiction',
  taxDateTooFarInFuture: 'the tax date is too far in the future for Anrok',
  taxDateTooFarInPast: 'the tax date is too far in the past for Anrok',
  transactionFrozenForFiling: 'the Anrok transaction is frozen for filing and cannot change',
  accountingTimeZoneNotSetForSeller: 'the Anrok seller account has no accounting time zone',
  externalServiceError: 'Anrok’s upstream service failed',
};

function describe(error: AnrokHttpError): string {
  const type = error.type;
  if (type) {
    const product = (error.body as { productExternalId?: unknown }).productExternalId;
    return `${REASONS[type] ?? 'Anrok refused the transaction'} (${type}${typeof product === 'string' ? `: ${product}` : ''})`;
  }
  return typeof error.body === 'string' && error.body ? error.body : `HTTP ${error.status}`;
}

export function needsReconnect(failure: Failure): string | undefined {
  if (failure.kind !== 'retryable' || !failure.reconnect) return undefined;
  const reason = withoutFlowPrefix(failure.reason);
  return reason.startsWith(CREDENTIALS_REJECTED) ? reason : undefined;
}

export interface ClassifyContext {
  /** createOrUpdate, createNegation and void may have been applied when the connection fails. */
  write: boolean;
  now: Date;
}

/** Classifies an error thrown by the Anrok client; undefined for anything else (a bug to rethrow). */
export function classifyAnrokError(error: unknown, ctx: ClassifyContext): Failure | undefined {
  if (error instanceof AnrokTransportError) {
    return ctx.write
      ? indeterminate(`${error.message}; the transaction may have been recorded: look it up by id before retrying`)
      : retryable(error.message, undefined, error.status);
  }
  if (!(error instanceof AnrokHttpError)) return undefined;
  const { status } = error;
  const text = describe(error);
  if (status === 429) return retryable(`Anrok rate limit: ${text}`, parseRetryAfter(error.retryAfter, ctx.now), 429);
  // Every Anrok write is keyed by our transaction id, so repeating one after a 5xx is safe.
  if (status >= 500)
    return retryable(`Anrok server error: ${text}`, parseRetryAfter(error.retryAfter, ctx.now), status);
  if (status === 401 || status === 403) return reconnectRequired(`${CREDENTIALS_REJECTED}: ${text}`, status);
  if (status >= 200 && status < 300) {
    const reason = `Anrok answered ${status} with an unreadable body`;
    return ctx.write ? indeterminate(reason, status) : retryable(reason, undefined, status);
  }
  if (error.type === 'externalServiceError') return retryable(`Anrok: ${text}`, undefined, status);
  return permanent(`Anrok rejected the request: ${text}`, {
    status,
    ...(error.type === 'customerAddressCouldNotResolve' || error.type === 'jurisNotFound'
      ? { field: 'customerAddress' }
      : {}),
  });
}
