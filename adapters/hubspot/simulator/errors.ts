/** The simulator's error answers: HubSpot's error envelope, and what an injected fault looks like. */
import type { Context } from 'hono';
import type { HubSpotSim } from './state.js';

/** The rolling window HubSpot's rate-limit headers name (ten_secondly_rolling). */
export const RATE_WINDOW_MS = 10_000;

/** HubSpot's error envelope; correlation ids are deterministic so tests can compare them. */
export function hsError(
  sim: HubSpotSim,
  c: Context,
  status: number,
  category: string,
  message: string,
  extra: object = {},
): Response {
  const correlationId = `00000000-0000-4000-8000-${(++sim.counters.correlation).toString(16).padStart(12, '0')}`;
  return c.json({ status: 'error', message, correlationId, category, ...extra }, status as 400);
}

export const notFound = (sim: HubSpotSim, c: Context) => hsError(sim, c, 404, 'OBJECT_NOT_FOUND', 'resource not found');

/** Error bodies for injected faults: an expired token, the ten-secondly rate limit, or an outage. */
export function faultBody(sim: HubSpotSim): (status: number, c: Context) => Response {
  return (status, c) => {
    if (status === 401)
      return hsError(sim, c, 401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    if (status === 429) {
      const res = hsError(sim, c, 429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', {
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
      });
      res.headers.set('X-HubSpot-RateLimit-Interval-Milliseconds', String(RATE_WINDOW_MS));
      res.headers.set('X-HubSpot-RateLimit-Max', '190');
      res.headers.set('X-HubSpot-RateLimit-Remaining', '0');
      return res;
    }
    return hsError(sim, c, status, 'INTERNAL_ERROR', 'internal error');
  };
}
