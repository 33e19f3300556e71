/**
 * Xero's limits per tenant (organisation) per app: 5 calls in flight, 60 calls per rolling
 * minute, 5,000 per rolling day (https://developer.xero.com/documentation/guides/oauth2/limits/;
 * ../../../shared/apispecs/xero.json rate_limits). One pool per tenant, kept for the process's
 * lifetime, so every adapter built for the same tenant (one per job run) shares it, as NetSuite's
 * per-account pool does (adapters/netsuite/limiter.ts).
 *
 * Concurrency is a slot pool; the minute is a sliding window the caller waits out (at most a
 * minute, well inside a job's lease); the day is never waited out here: once it is spent the call
 * is not sent and the caller parks the job until the window has room (Failure.parked). Xero's
 * answers correct the counts: other processes (a Worker isolate, another job runner) spend the
 * same tenant's quota, so `X-MinLimit-Remaining` / `X-DayLimit-Remaining` and a 429's
 * `X-Rate-Limit-Problem` are believed over our own tally.
 */

export const XERO_LIMITS = { concurrent: 5, perMinute: 60, perDay: 5_000 } as const;
export type XeroLimits = { concurrent: number; perMinute: number; perDay: number };

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Whether a call may go now: yes (its slot is held), or not before `untilMs` because the day is spent. */
export type Admission = { admitted: true; release: () => void } | { admitted: false; dayUntilMs: number };

export interface TenantLimiter {
  /**
   * Waits for a concurrency slot and for room in the minute window, then counts the call.
   * Refuses (without waiting) when the day's quota is spent.
   */
  admit(): Promise<Admission>;
  /** Reads Xero's own view of the remaining quota off an answer. */
  observe(headers: Headers): void;
  /** Calls in flight now, and the peak (tests, diagnostics). */
  readonly active: number;
  readonly peak: number;
}

export interface LimiterDeps {
  now: () => Date;
  /** Waits out the minute window (tests pass one that moves a fake clock, never wall time). */
  sleep: (ms: number) => Promise<void>;
}

export function createTenantLimiter(limits: XeroLimits, deps: LimiterDeps): TenantLimiter {
  let active = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  /** Send times (ms) of the calls of the last minute and the last day, oldest first. */
  const minute: number[] = [];
  const day: number[] = [];
  /** Set when Xero said a window is spent: no call before these times. */
  let minuteBlockedUntil = 0;
  let dayBlockedUntil = 0;
  /**
   * The end of the last wait served: time is never read as earlier than it, so a clock that does
   * not move while we sleep (a test's, a frozen one) still counts the wait as served instead of
   * waiting again for ever.
   */
  let served = 0;
  const clock = () => Math.max(deps.now().getTime(), served);

  const prune = (at: number) => {
    while (minute.length > 0 && minute[0]! <= at - MINUTE_MS) minute.shift();
    while (day.length > 0 && day[0]! <= at - DAY_MS) day.shift();
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };

  return {
    get active() {
      return active;
    },
    get peak() {
      return peak;
    },
    async admit() {
      if (active < limits.concurrent) active += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over as is
      peak = Math.max(peak, active);
      for (;;) {
        const at = clock();
        prune(at);
        const dayFull = day.length >= limits.perDay ? day[0]! + DAY_MS : 0;
        const dayUntil = Math.max(dayFull, dayBlockedUntil);
        if (dayUntil > at) {
          release();
          return { admitted: false, dayUntilMs: dayUntil - at };
        }
        const minuteFull = minute.length >= limits.perMinute ? minute[0]! + MINUTE_MS : 0;
        const minuteUntil = Math.max(minuteFull, minuteBlockedUntil);
        if (minuteUntil <= at) break;
        await deps.sleep(minuteUntil - at);
        served = Math.max(served, minuteUntil);
      }
      const at = clock();
      minute.push(at);
      day.push(at);
      let released = false;
      return {
        admitted: true,
        release: () => {
          if (released) return;
          released = true;
          release();
        },
      };
    },
    observe(headers) {
      const at = clock();
      const problem = headers.get('x-rate-limit-problem')?.toLowerCase();
      const retryAfter = Number(headers.get('retry-after') ?? '');
      const waitMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
      if (problem === 'day') dayBlockedUntil = Math.max(dayBlockedUntil, at + (waitMs ?? DAY_MS));
      else if (problem === 'minute') minuteBlockedUntil = Math.max(minuteBlockedUntil, at + (waitMs ?? MINUTE_MS));
      if (headers.get('x-daylimit-remaining') === '0' && problem !== 'day') {
        // The next call would be refused; the oldest of our own calls of the day says when it frees.
        dayBlockedUntil = Math.max(dayBlockedUntil, (day[0] ?? at) + DAY_MS);
      }
      if (headers.get('x-minlimit-remaining') === '0') {
        minuteBlockedUntil = Math.max(minuteBlockedUntil, (minute[0] ?? at) + MINUTE_MS);
      }
    },
  };
}

const pools = new Map<string, { key: string; limiter: TenantLimiter }>();

/** The tenant's pool; changed limits (the connection reconfigured) start a new pool. */
export function limiterFor(tenantId: string, limits: XeroLimits, deps: LimiterDeps): TenantLimiter {
  const key = `${limits.concurrent}/${limits.perMinute}/${limits.perDay}`;
  const found = pools.get(tenantId);
  if (found && found.key === key) return found.limiter;
  const limiter = createTenantLimiter(limits, deps);
  pools.set(tenantId, { key, limiter });
  return limiter;
}
