import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('page cursors', () => {
  it('round-trip a position as URL-safe text', () => {
    const after = { createdAt: '2026-02-01T06:00:00.000Z', id: 'inv_monthly_20260101_advance' };
    const cursor = encodeCursor(after);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(after);
  });

  it.each([
    ['', 'empty'],
    ['not!base64', 'not base64url'],
    [btoa('{"createdAt":"2026-02-01T06:00:00.000Z"}').replaceAll('=', ''), 'an object, not the pair'],
    [btoa('["yesterday","inv_1"]').replaceAll('=', ''), 'not an ISO instant'],
    [btoa('["2026-02-01T06:00:00.000Z",""]').replaceAll('=', ''), 'an empty id'],
    [btoa('["2026-02-01T06:00:00.000Z",7]').replaceAll('=', ''), 'a number id'],
    ['x'.repeat(401), 'too long'],
  ])('refuse %j (%s)', (cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});
