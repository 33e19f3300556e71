import { describe, expect, it } from 'vitest';
import { healthWord } from './connections.js';

const stats = (over: Partial<Parameters<typeof healthWord>[1] & object> = {}) => ({
  connection: 'quickbooks',
  waiting: 0,
  dead: 0,
  lastSuccessAt: '2026-03-02T09:00:00Z',
  lastFailureAt: null,
  ...over,
});

describe('healthWord', () => {
  it.each([
    ['healthy with nothing failing', 'healthy', stats(), null],
    ['unhealthy with no job waiting', 'unhealthy', stats(), null, 'unhealthy'],
    ['paused while jobs wait on a reconnect', 'paused', stats({ waiting: 3 }), null, 'unhealthy'],
    [
      'rate-limited when the newest failure is a 429',
      'rate-limited',
      stats({ lastFailureAt: '2026-03-02T10:00:00Z' }),
      'retryable: HTTP 429',
    ],
    [
      'not rate-limited once a job succeeded after the 429',
      'healthy',
      stats({ lastFailureAt: '2026-03-02T08:00:00Z' }),
      'retryable: HTTP 429',
    ],
    [
      'failing when jobs on it are dead',
      'failing',
      stats({ dead: 1, lastFailureAt: '2026-03-02T10:00:00Z' }),
      'gave up after 8 attempts; last error retryable: HTTP 500',
    ],
  ] as [string, string, ReturnType<typeof stats>, string | null, ('healthy' | 'unhealthy')?][])(
    '%s',
    (_name, word, s, lastError, status = 'healthy') => {
      expect(healthWord({ status }, s, lastError)).toBe(word);
    },
  );
});
