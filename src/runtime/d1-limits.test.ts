import { describe, expect, it } from 'vitest';
import { D1LimitError, withD1Limits } from './d1-limits.js';

const fakeBinding = () => ({
  prepare: (_query: string) => ({ bind: (..._values: unknown[]) => ({}) }),
  batch: async (statements: unknown[]) => statements,
});

describe('D1 queries counted per invocation, whatever kind', () => {
  it('counts each invocation apart in the caller’s map and refuses the query past the limit', () => {
    const counts = new WeakMap<object, number>();
    let current: object | undefined;
    const db = withD1Limits(fakeBinding(), { invocation: () => current, counts, queriesPerInvocation: 3 });
    const queue = { kind: 'queue' };
    const cron = { kind: 'scheduled' };
    current = queue;
    for (let i = 0; i < 3; i++) (db.prepare('SELECT 1') as { bind(): unknown }).bind();
    expect(counts.get(queue)).toBe(3);
    expect(() => (db.prepare('SELECT 1') as { bind(): unknown }).bind()).toThrow(D1LimitError);
    current = cron;
    (db.prepare('SELECT 1') as { bind(): unknown }).bind();
    expect(counts.get(cron)).toBe(1);
  });
});
