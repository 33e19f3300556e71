/**
 * The per-account concurrency limit NetSuite governs (every integration of the account shares
 * it: 5 on the shared tier, plus 10 per SuiteCloud Plus licence). One slot pool per account, kept
 * for the process's lifetime, so every adapter built for the same account (one per job run)
 * waits on the same pool instead of each assuming it has the whole limit.
 * (NetSuite Help Center, "Concurrency Governance"; ../../../shared/apispecs/netsuite.json rate_limits.)
 */

export interface Limiter {
  /** Runs `task` once a slot is free; the slot is given back however the task ends. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Requests running now (for tests and diagnostics). */
  readonly active: number;
}

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`concurrency limit must be a positive integer, got ${limit}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };
  return {
    get active() {
      return active;
    },
    async run(task) {
      if (active < limit) active += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over as is
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

const pools = new Map<string, { limit: number; limiter: Limiter }>();

/** The account's pool; a changed limit (the connection reconfigured) starts a new pool. */
export function limiterFor(accountId: string, limit: number): Limiter {
  const key = accountId.toUpperCase();
  const found = pools.get(key);
  if (found && found.limit === limit) return found.limiter;
  const limiter = createLimiter(limit);
  pools.set(key, { limit, limiter });
  return limiter;
}
