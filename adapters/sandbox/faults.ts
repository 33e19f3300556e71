/**
 * Fault knobs shared by every vendor simulator: tell a simulator to answer the next N matching
 * requests with a 429 (and Retry-After), a 500, a 401 expired token, or to drop the connection
 * after it has already applied the write (the "timeout" whose outcome the caller cannot know).
 */
import type { Context, MiddlewareHandler } from 'hono';

export type Fault =
  | { kind: 'status'; status: 429; retryAfterSeconds?: number }
  | { kind: 'status'; status: 500 | 502 | 503 }
  | { kind: 'status'; status: 401 }
  | { kind: 'timeout' };

interface PlannedFault {
  method: string | '*';
  pathPrefix: string;
  fault: Fault;
  remaining: number;
}

/** How a vendor writes its error body; each simulator supplies its own envelope. */
export type ErrorBody = (status: number, c: Context) => Response;

export class FaultPlan {
  private planned: PlannedFault[] = [];
  /** Requests seen, newest last (method and path), for tests that check what was called. */
  readonly seen: { method: string; path: string }[] = [];

  /** Inject `fault` into the next `times` requests whose path starts with `pathPrefix`. */
  inject(pathPrefix: string, fault: Fault, times = 1, method: string | '*' = '*'): void {
    this.planned.push({ method, pathPrefix, fault, remaining: times });
  }

  /** Keep failing until `clear()` (e.g. "500 until the vendor recovers"). */
  always(pathPrefix: string, fault: Fault, method: string | '*' = '*'): void {
    this.inject(pathPrefix, fault, Number.POSITIVE_INFINITY, method);
  }

  clear(): void {
    this.planned = [];
  }

  take(method: string, path: string): Fault | undefined {
    const hit = this.planned.find(
      (p) => p.remaining > 0 && path.startsWith(p.pathPrefix) && (p.method === '*' || p.method === method),
    );
    if (!hit) return undefined;
    hit.remaining -= 1;
    return hit.fault;
  }
}

/** A Response whose body errors: the caller sees a dropped connection after the write applied. */
export function droppedConnection(): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        controller.error(new Error('simulated timeout: connection dropped'));
      },
    }),
    { status: 200, headers: { 'content-type': 'application/json' } },
  );
}

/**
 * Middleware applying planned faults. Status faults answer before the handler runs (nothing
 * written); a timeout runs the handler (the write happens) and then drops the connection.
 */
export function faultMiddleware(plan: FaultPlan, errorBody: ErrorBody): MiddlewareHandler {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    plan.seen.push({ method: c.req.method, path });
    const fault = plan.take(c.req.method, path);
    if (!fault) return next();
    if (fault.kind === 'timeout') {
      await next();
      c.res = droppedConnection();
      return;
    }
    const res = errorBody(fault.status, c);
    if (fault.status === 429 && fault.retryAfterSeconds !== undefined) {
      res.headers.set('Retry-After', String(fault.retryAfterSeconds));
    }
    return res;
  };
}
