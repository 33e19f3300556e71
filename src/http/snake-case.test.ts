import { describe, expect, it } from 'vitest';
import { snakeCaseKey, toSnakeCaseKeys } from './snake-case.js';

describe('snake_case keys at the API boundary', () => {
  it('renames keys at every depth and leaves values alone', () => {
    expect(snakeCaseKey('amountPaidMinor')).toBe('amount_paid_minor');
    expect(
      toSnakeCaseKeys({ renewalOf: null, jobs: [{ dedupeKey: 'a:B', steps: [{ lastError: 'camelCase' }] }] }),
    ).toEqual({ renewal_of: null, jobs: [{ dedupe_key: 'a:B', steps: [{ last_error: 'camelCase' }] }] });
  });
});
