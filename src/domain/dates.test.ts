import { describe, expect, it } from 'vitest';
import { isIsoDate } from './dates.js';

describe('isIsoDate', () => {
  it('takes real calendar days only', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-12-31')).toBe(true);
    // Date.parse alone rolls these over (2026-02-30 → March 2): they must be refused.
    for (const bad of ['2026-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-01']) {
      expect(isIsoDate(bad), bad).toBe(false);
    }
  });
});
