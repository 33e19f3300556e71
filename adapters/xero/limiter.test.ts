/**
 * The per-tenant limiter on a clock the test moves (or holds still): at most 5 in flight, 60 a
 * rolling minute (waited out), 5,000 a rolling day (refused, with the wait), and Xero's headers
 * believed over our own count.
 */
import { describe, expect, it } from 'vitest';
import { createTenantLimiter } from './limiter.js';

function clockAt(start = Date.parse('2026-11-23T12:00:00Z')) {
  let at = start;
  const waits: number[] = [];
  return {
    now: () => new Date(at),
    moving: async (ms: number) => {
      waits.push(ms);
      at += ms;
    },
    frozen: async (ms: number) => {
      waits.push(ms);
    },
    advance: (ms: number) => {
      at += ms;
    },
    waits,
  };
}

describe('Xero tenant limiter', () => {
  it('waits out the minute window once it holds 60 calls', async () => {
    const c = clockAt();
    const limiter = createTenantLimiter(
      { concurrent: 5, perMinute: 60, perDay: 5000 },
      { now: c.now, sleep: c.moving },
    );
    for (let n = 0; n < 61; n += 1) {
      const a = await limiter.admit();
      if (a.admitted) a.release();
    }
    expect(c.waits).toEqual([60_000]);
  });

  it('a clock that does not move while it sleeps still gets through (the wait counts as served)', async () => {
    const c = clockAt();
    const limiter = createTenantLimiter({ concurrent: 5, perMinute: 2, perDay: 5000 }, { now: c.now, sleep: c.frozen });
    for (let n = 0; n < 6; n += 1) {
      const a = await limiter.admit();
      expect(a.admitted).toBe(true);
      if (a.admitted) a.release();
    }
    expect(c.waits).toEqual([60_000, 60_000]);
  });

  it('refuses once the day is spent, naming when the oldest call of the day ages out', async () => {
    const c = clockAt();
    const limiter = createTenantLimiter({ concurrent: 5, perMinute: 1000, perDay: 3 }, { now: c.now, sleep: c.moving });
    for (let n = 0; n < 3; n += 1) {
      const a = await limiter.admit();
      if (a.admitted) a.release();
      c.advance(1_000);
    }
    expect(await limiter.admit()).toEqual({ admitted: false, dayUntilMs: 24 * 3_600_000 - 3_000 });
    expect(limiter.active).toBe(0);
  });

  it('believes Xero: X-DayLimit-Remaining 0 or a day 429 refuses the next call, a minute 429 delays it', async () => {
    const c = clockAt();
    const limiter = createTenantLimiter(
      { concurrent: 5, perMinute: 60, perDay: 5000 },
      { now: c.now, sleep: c.moving },
    );
    limiter.observe(new Headers({ 'x-rate-limit-problem': 'minute', 'retry-after': '12' }));
    const a = await limiter.admit();
    expect(a.admitted).toBe(true);
    expect(c.waits).toEqual([12_000]);
    if (a.admitted) a.release();
    limiter.observe(new Headers({ 'x-rate-limit-problem': 'day', 'retry-after': '3600' }));
    expect(await limiter.admit()).toEqual({ admitted: false, dayUntilMs: 3_600_000 });
  });

  it('holds at most 5 calls in flight; the sixth waits for a slot', async () => {
    const c = clockAt();
    const limiter = createTenantLimiter(
      { concurrent: 5, perMinute: 60, perDay: 5000 },
      { now: c.now, sleep: c.moving },
    );
    const held = await Promise.all(Array.from({ length: 5 }, () => limiter.admit()));
    let sixth = false;
    const pending = limiter.admit().then((a) => {
      sixth = true;
      return a;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect([limiter.active, sixth]).toEqual([5, false]);
    const first = held[0]!;
    if (first.admitted) first.release();
    const admitted = await pending;
    expect(sixth).toBe(true);
    expect(limiter.peak).toBe(5);
    for (const a of [...held.slice(1), admitted]) if (a.admitted) a.release();
    expect(limiter.active).toBe(0);
  });
});
