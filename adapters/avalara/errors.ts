/**
 * Sorting AvaTax failures into Outcome failures at the adapter boundary.
 *
 * AvaTax answers errors with `{"error":{"code","message","target","details":[{code, number, message,
 * description, faultCode, helpLink, refersTo, severity}]}}`
 * (https://developer.avalara.com/avatax/errors/). The SDK's own transport drops the HTTP status and
 * headers, so client.ts throws the two error classes below instead, which keep them.
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

/** How rejected credentials' reason starts (AvaTax's own message follows). */
export const CREDENTIALS_REJECTED = 'AvaTax credentials rejected (check account id and license key)';

/**
 * The Avalara module's reconnect check (vendor-module.ts): rejected credentials, flagged by
 * classifyAvalaraError, behind any flow prefix. The reason shown is the adapter's own.
 */
export function needsReconnect(failure: Failure): string | undefined {
  if (failure.kind !== 'retryable' || !failure.reconnect) return undefined;
  const reason = withoutFlowPrefix(failure.reason);
  return reason.startsWith(CREDENTIALS_REJECTED) ? reason : undefined;
}

export interface AvalaraErrorDetail {
  code?: string;
  number?: number;
  message?: string;
  description?: string;
  faultCode?: string;
  helpLink?: string;
  refersTo?: string;
  severity?: string;
}

export interface AvalaraErrorInfo {
  code?: string;
  message?: string;
  target?: string;
  details?: AvalaraErrorDetail[];
}

/** AvaTax answered with an error status, an error envelope, or a body that is not JSON. */
export class AvaTaxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
    readonly info: AvalaraErrorInfo | undefined,
    readonly bodyText: string,
  ) {
    super(info?.message ?? `AvaTax answered HTTP ${status}`);
    this.name = 'AvaTaxHttpError';
  }
}

/**
 * The connection failed. `phase: 'request'` means no response arrived (refused, reset, timed out);
 * `phase: 'response'` means the status line arrived but the body was cut off. Either way a write
 * may have been applied.
 */
export class AvaTaxTransportError extends Error {
  constructor(
    readonly phase: 'request' | 'response',
    failure: unknown,
    readonly status?: number,
  ) {
    super(`AvaTax connection failed during ${phase}: ${failure instanceof Error ? failure.message : String(failure)}`, {
      cause: failure,
    });
    this.name = 'AvaTaxTransportError';
  }
}

export function isEntityNotFound(error: unknown): boolean {
  return error instanceof AvaTaxHttpError && (error.status === 404 || error.info?.code === 'EntityNotFoundError');
}

/** The field the error is about: AvaTax names it in `details[].refersTo`; `target` says which component failed. */
function fieldOf(info: AvalaraErrorInfo | undefined): string | undefined {
  const refersTo = info?.details?.find((d) => d.refersTo)?.refersTo;
  return refersTo ?? info?.target;
}

function describe(info: AvalaraErrorInfo | undefined, status: number): string {
  if (!info) return `HTTP ${status}`;
  const detail = info.details?.find((d) => d.description && d.description !== info.message)?.description;
  return [info.code, info.message, detail].filter(Boolean).join(': ');
}

export interface ClassifyContext {
  /** A write (createoradjust) may have been applied when the connection fails; a read never changes anything. */
  write: boolean;
  now: Date;
}

/**
 * Classifies an error thrown by the AvaTax client. Returns undefined for anything that is not an
 * AvaTax failure (a bug), so the caller can rethrow it rather than hide it.
 */
export function classifyAvalaraError(error: unknown, ctx: ClassifyContext): Failure | undefined {
  if (error instanceof AvaTaxTransportError) {
    return ctx.write
      ? indeterminate(
          `${error.message}; the transaction may have been recorded: look it up by document code before retrying`,
          error.status,
        )
      : retryable(error.message, undefined, error.status);
  }
  if (!(error instanceof AvaTaxHttpError)) return undefined;
  const { status, info } = error;
  const text = describe(info, status);
  if (status === 429) {
    return retryable(`AvaTax rate limit: ${text}`, parseRetryAfter(error.retryAfter, ctx.now), status);
  }
  if (status >= 500) {
    // CreateOrAdjustTransaction is keyed by the document code, so repeating a write is safe.
    return retryable(`AvaTax server error: ${text}`, parseRetryAfter(error.retryAfter, ctx.now), status);
  }
  if (status === 401 || info?.code === 'AuthenticationException') {
    // A wrong or revoked license key: retrying cannot help until a person enters the right one, so
    // the connection waits for a reconnect. https://developer.avalara.com/avatax/errors/AuthenticationException/
    return reconnectRequired(`${CREDENTIALS_REJECTED}: ${text}`, status);
  }
  if (status >= 200 && status < 300) {
    // A success status with a body we could not read as a transaction: we cannot know what happened.
    const reason = `AvaTax answered ${status} with an unreadable body`;
    return ctx.write ? indeterminate(reason, status) : retryable(reason, undefined, status);
  }
  const field = fieldOf(info);
  return permanent(`AvaTax rejected the request: ${text}${field ? ` (field: ${field})` : ''}`, {
    status,
    ...(field ? { field } : {}),
  });
}
