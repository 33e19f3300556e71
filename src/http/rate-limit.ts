/**
 * A fixed-window request budget per key (a connection id, or a vendor account id on a route that
 * names no connection), for the routes anyone can call without an API key. It bounds the work a
 * stranger can make the hub do; each process or Workers isolate counts on its own, so on Workers
 * the bound is per isolate (a Durable Object would make it global; not needed for the bound's purpose).
 */
import type { Clock } from '../domain/clock.js';

export interface RateLimitOptions {
  /** Requests allowed per key per window. */
  limit: number;
  windowMs: number;
  /** Keys remembered at most; the oldest windows are forgotten first. */
  maxKeys?: number;
}

/** Salesforce retries one Outbound Message for 24 hours and HubSpot batches events: generous for them. */
export const INBOUND_RATE_LIMIT: RateLimitOptions = { limit: 300, windowMs: 60_000 };

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly options: RateLimitOptions = INBOUND_RATE_LIMIT,
  ) {}

  take(key: string): RateDecision {
    const now = this.clock.now().getTime();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.options.windowMs) {
      this.windows.delete(key);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
      this.forgetOldest();
    }
    if (window.count >= this.options.limit) {
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.options.windowMs - now) / 1000)),
      };
    }
    window.count += 1;
    return { ok: true };
  }

  /** Whether `key` has spent its budget in the current window, without spending any. */
  peek(key: string): RateDecision {
    const now = this.clock.now().getTime();
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.options.windowMs || window.count < this.options.limit) {
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.options.windowMs - now) / 1000)),
    };
  }

  private forgetOldest(): void {
    const max = this.options.maxKeys ?? 10_000;
    for (const key of this.windows.keys()) {
      if (this.windows.size <= max) return;
      this.windows.delete(key);
    }
  }
}
