import { describe, expect, it } from 'vitest';
import { DOC_NUMBER_MAX, docNumberFor, fnv1a64 } from './doc-number.js';

describe('docNumberFor', () => {
  it('keeps a reference of up to 21 characters as it is', () => {
    expect(docNumberFor('INV-0001')).toBe('INV-0001');
    expect(docNumberFor('X'.repeat(21))).toBe('X'.repeat(21));
  });

  it('turns a longer one into prefix ~ hash, exactly 21 characters, the same every time', () => {
    const ref = 'jnl_01JDZ8Q4M7X2K9ABCDEFGHJKMN';
    const short = docNumberFor(ref);
    expect(short).toHaveLength(DOC_NUMBER_MAX);
    expect(short.startsWith('jnl_01J~')).toBe(true);
    expect(docNumberFor(ref)).toBe(short);
  });

  it('tells apart long references that share their prefix', () => {
    const a = docNumberFor('jnl_0000000000000000000001');
    const b = docNumberFor('jnl_0000000000000000000002');
    expect(a).not.toBe(b);
    expect(a.slice(0, 8)).toBe(b.slice(0, 8));
  });

  it('a 22-character reference is shortened (never cut at 21, which could collide with a kept one)', () => {
    const ref = 'A'.repeat(22);
    expect(docNumberFor(ref)).not.toBe('A'.repeat(21));
    expect(docNumberFor(ref)).toContain('~');
  });

  it('FNV-1a 64 matches the published test vectors', () => {
    // http://www.isthe.com/chongo/tech/comp/fnv/ (FNV-1a 64-bit of "" and "a")
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
  });
});
