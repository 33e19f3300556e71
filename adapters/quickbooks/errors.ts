/**
 * Sorts QuickBooks Online answers into the hub's failure kinds.
 * Error envelope: {"Fault":{"Error":[{"Message","Detail","code","element"}],"type"},"time"}
 *   https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 * Throttling: HTTP 429; Intuit says to wait 60 s (no Retry-After is documented, but we honour one).
 *   https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles
 */

import {
  type Failure,
  indeterminate,
  parseRetryAfter,
  permanent,
  reconnectRequired,
  retryable,
} from '../../src/domain/outcome.js';
import { carriesReason } from '../../src/domain/reconnect.js';
import type { QboResponse } from './client.js';

/** What a 401 says: the access token expired or was revoked. */
export const QUICKBOOKS_TOKEN_EXPIRED = 'access token expired';

/**
 * The QuickBooks module's reconnect check (vendor-module.ts). The reason is a generic phrase, so
 * only a 401 that carries it counts.
 */
export function needsReconnect(failure: Failure): string | undefined {
  const ours = failure.kind === 'retryable' && failure.status === 401;
  return ours && carriesReason(failure.reason, QUICKBOOKS_TOKEN_EXPIRED) ? QUICKBOOKS_TOKEN_EXPIRED : undefined;
}

export interface QboFaultError {
  Message?: string;
  Detail?: string;
  code?: string;
  element?: string;
}

export interface QboFault {
  type?: string;
  errors: QboFaultError[];
}

/** Intuit's wait after a 429 when the response carries no Retry-After. */
export const THROTTLE_WAIT_MS = 60_000;

/** ValidationFault code for "Duplicate Name Exists Error" (Customer/Vendor/Employee names, Item names). */
export const DUPLICATE_NAME_CODE = '6240';

export function faultOf(body: unknown): QboFault | null {
  if (!body || typeof body !== 'object') return null;
  const fault = (body as { Fault?: unknown }).Fault;
  if (!fault || typeof fault !== 'object') return null;
  const { Error: errors, type } = fault as { Error?: unknown; type?: unknown };
  return {
    ...(typeof type === 'string' ? { type } : {}),
    errors: Array.isArray(errors) ? errors.filter((e): e is QboFaultError => !!e && typeof e === 'object') : [],
  };
}

/** True for a 400 ValidationFault carrying code 6240 (the name is already taken). */
export function isDuplicateName(response: QboResponse): boolean {
  if (response.kind !== 'http' || response.status !== 400) return false;
  return faultOf(response.body)?.errors.some((e) => String(e.code) === DUPLICATE_NAME_CODE) ?? false;
}

function describeFault(fault: QboFault | null, body: unknown): string {
  if (!fault) {
    if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 200);
    return 'no error details';
  }
  const parts = fault.errors.map((e) => {
    const code = e.code ? ` [${e.code}]` : '';
    const detail = e.Detail && e.Detail !== e.Message ? ` (${e.Detail})` : '';
    const element = e.element ? ` on ${e.element}` : '';
    return `${e.Message ?? 'error'}${code}${detail}${element}`;
  });
  const type = fault.type ? `${fault.type}: ` : '';
  return `${type}${parts.join('; ') || 'no error details'}`;
}

export interface Operation {
  /** e.g. "create invoice", "find customer". */
  what: string;
  /** Writes may have happened when the connection drops; reads never change anything. */
  write: boolean;
}

/** Classifies anything that is not a usable success answer. */
export function classifyFailure(response: QboResponse, op: Operation, now: Date): Failure {
  if (response.kind === 'network') {
    const reason = `QuickBooks ${op.what}: connection failed (${response.message})`;
    // A read that failed changed nothing: retry it. A write may have been applied: look it up first.
    return op.write ? indeterminate(`${reason}; look the object up before retrying`) : retryable(reason);
  }
  const { status, body } = response;
  const fault = faultOf(body);
  const details = describeFault(fault, body);
  if (status === 429) {
    const wait = parseRetryAfter(response.headers.get('retry-after'), now) ?? THROTTLE_WAIT_MS;
    return retryable(`QuickBooks ${op.what}: rate limited (429) ${details}`, wait, status);
  }
  if (status === 401) {
    // Intuit's 401 means the access token expired or was revoked; the hub holds no refresh token
    // for QuickBooks, so the connection waits for a person to reconnect it with a new one.
    // https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
    return reconnectRequired(QUICKBOOKS_TOKEN_EXPIRED, status);
  }
  if (status >= 500) {
    // Retrying a write is safe: the same requestid replays instead of creating twice.
    return retryable(`QuickBooks ${op.what} failed with ${status}: ${details}`, undefined, status);
  }
  if (status >= 400) {
    const element = fault?.errors.find((e) => e.element)?.element;
    return permanent(`QuickBooks ${op.what} rejected (${status}): ${details}`, {
      status,
      ...(element ? { field: element } : {}),
    });
  }
  // A 2xx without the entity we asked for (or a Fault inside a 200).
  const reason = `QuickBooks ${op.what}: unexpected ${status} answer: ${fault ? details : 'missing entity'}`;
  return op.write ? indeterminate(reason, status) : permanent(reason, { status });
}
