/**
 * The simulator's error answers, in Intuit's Fault envelope: the status faults (401, 429, 500)
 * with QuickBooks' real wording, and validation faults with their codes.
 * https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Json } from './state.js';

export function faultBody(
  type: string,
  errors: { Message: string; Detail: string; code: string; element?: string }[],
  time: string,
): Json {
  return { Fault: { Error: errors.map((e) => ({ element: '', ...e })), type }, time };
}

/** Fault envelopes for status answers (real QBO wording; codes per Intuit's error-code page). */
export function statusFault(status: number, time: string): Json {
  if (status === 401) {
    return faultBody(
      'AuthenticationFault',
      [
        {
          Message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          Detail: 'Token expired or invalid',
          code: '3200',
        },
      ],
      time,
    );
  }
  if (status === 429) {
    return faultBody(
      'ThrottleExceeded',
      [
        {
          Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
          Detail: 'The request limit was reached.',
          code: '3001',
        },
      ],
      time,
    );
  }
  return faultBody(
    'SystemFault',
    [
      {
        Message: 'An application error has occurred while processing your request',
        Detail: 'System Failure Error: simulated outage',
        code: '10000',
      },
    ],
    time,
  );
}

export const answer = (c: Context, status: number, body: Json) => c.json(body, status as ContentfulStatusCode);

/** A ValidationFault answer (code, Message, Detail), stamped with the simulator's clock. */
export function validation(c: Context, now: () => Date, status: number, code: string, message: string, detail: string) {
  return answer(
    c,
    status,
    faultBody('ValidationFault', [{ Message: message, Detail: detail, code }], now().toISOString()),
  );
}
