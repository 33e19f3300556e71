/**
 * What the Razorpay simulator's routes share: HTTP Basic `key_id:key_secret`, JSON bodies, the
 * error envelope, ids (`order_`, `pay_`, `rfnd_`, `cust_`, `plink_` and 14 characters), the clock
 * and events. Razorpay documents no idempotency key for these APIs: a write sent twice is done twice.
 */
import type { Context } from 'hono';
import { badRequest, faultError, type RzpError } from './errors.js';
import type { RazorpaySimulatorOptions, RazorpaySimulatorState, RzpEvent } from './state.js';

export interface RazorpaySim {
  state: RazorpaySimulatorState;
  options: RazorpaySimulatorOptions & { publicUrl: string };
  newId(prefix: string): string;
  nowSeconds(): number;
  emit(event: RzpEvent['event'], payload: RzpEvent['payload']): void;
}

export function reply(c: Context, value: RzpError | { status: number; body: unknown }): Response {
  return c.json(value.body as object, value.status as 200);
}

export function authorised(c: Context, sim: RazorpaySim): Response | undefined {
  const expected = `Basic ${btoa(`${sim.options.keyId}:${sim.options.keySecret}`)}`;
  return c.req.header('authorization') === expected ? undefined : reply(c, faultError(401));
}

export async function body(c: Context): Promise<Record<string, unknown> | RzpError> {
  try {
    const parsed = await c.req.json();
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  return badRequest('The request body is not a JSON object');
}

export const isError = (v: unknown): v is RzpError =>
  typeof v === 'object' && v !== null && 'body' in v && typeof (v as RzpError).body?.error === 'object';

export function notesOf(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** Razorpay's amount rule: an integer in the smallest unit, at least 100 for INR (₹1). */
export function amountError(amount: unknown, currency: unknown): RzpError | undefined {
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    return badRequest('The currency is invalid', 'currency');
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1) {
    return badRequest('The amount must be an integer in the smallest currency unit', 'amount');
  }
  if (currency === 'INR' && amount < 100) return badRequest('The amount must be atleast INR 1.00', 'amount');
  return undefined;
}

export const list = <T>(items: T[]) => ({ entity: 'collection', count: items.length, items });
