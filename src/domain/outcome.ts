/**
 * Expected failures are values, not exceptions. Every adapter call returns an Outcome sorted
 * at the adapter boundary: retryable (maybe with the vendor's Retry-After), permanent (needs a
 * person) or indeterminate (the write may have happened: reconcile before retrying).
 */
export type Failure =
  | {
      ok: false;
      kind: 'retryable';
      reason: string;
      retryAfterMs?: number;
      status?: number;
      /**
       * The vendor rejected the connection's credentials and refreshing them failed: only a person
       * reconnecting helps. The job queue then marks the connection unhealthy and pauses its jobs
       * instead of spending their attempts (src/domain/reconnect.ts).
       */
      reconnect?: true;
      /**
       * The work waits on another job (its id) that is still queued or running: waiting spends no
       * attempt, so a slow or crashed dependency cannot dead-letter the job that only waited for it.
       */
      waitsOn?: string;
      /**
       * The vendor's quota for a whole window is spent (Xero's calls per day): every call before
       * `retryAfterMs` would be refused, so the job is parked until then without spending an
       * attempt; a quota that runs out does not send work to the dead letters.
       */
      parked?: true;
    }
  | { ok: false; kind: 'permanent'; reason: string; status?: number; field?: string }
  | { ok: false; kind: 'indeterminate'; reason: string; status?: number };

export type Outcome<T> = { ok: true; value: T } | Failure;

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

export const retryable = (reason: string, retryAfterMs?: number, status?: number): Failure => ({
  ok: false,
  kind: 'retryable',
  reason,
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  ...(status !== undefined ? { status } : {}),
});

/** A retryable failure that needs a person to reconnect the vendor first (see Failure.reconnect). */
export const reconnectRequired = (reason: string, status = 401): Failure => ({
  ok: false,
  kind: 'retryable',
  reason,
  status,
  reconnect: true,
});

export const permanent = (reason: string, extra: { status?: number; field?: string } = {}): Failure => ({
  ok: false,
  kind: 'permanent',
  reason,
  ...extra,
});

export const indeterminate = (reason: string, status?: number): Failure => ({
  ok: false,
  kind: 'indeterminate',
  reason,
  ...(status !== undefined ? { status } : {}),
});

/** Parses an HTTP Retry-After header (delta seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** Retry later without spending an attempt: `jobId` (still queued or running) must finish first. */
export const waitingOn = (reason: string, jobId: string, retryAfterMs: number): Failure => ({
  ok: false,
  kind: 'retryable',
  reason,
  retryAfterMs,
  waitsOn: jobId,
});

/**
 * The vendor's quota for a window is exhausted (a daily call limit): retry after `retryAfterMs`,
 * when the window has room again, without spending an attempt (see Failure.parked).
 */
export const quotaExhausted = (reason: string, retryAfterMs: number, status = 429): Failure => ({
  ok: false,
  kind: 'retryable',
  reason,
  retryAfterMs,
  status,
  parked: true,
});
