import { describe, expect, it } from 'vitest';
import { plainError } from './plain-error.js';

describe('plainError', () => {
  it.each([
    [
      'gave up after 8 attempts; last error retryable: QuickBooks HTTP 500 Internal Server Error',
      'dead',
      /tried 8 times and stopped: the vendor failed with a server error \(HTTP 500\)/,
    ],
    ['retryable: 429 Too Many Requests', 'queued', /rate-limiting the hub \(HTTP 429\)/],
    [
      'permanent: status 400 invalid address',
      'dead',
      /cannot succeed as it is: the vendor refused the request \(HTTP 400\)/,
    ],
    ['waiting on job_abc: invoice not in the ERP yet', 'queued', /Waiting for job job_abc to finish first/],
    ['retryable: fetch failed', 'queued', /could not be reached/],
  ])('%s', (lastError, state, summary) => {
    expect(plainError(lastError, state)?.summary).toMatch(summary);
  });

  it('says the hub retries by itself only while the job is queued', () => {
    expect(plainError('retryable: HTTP 503', 'queued')?.advice).toMatch(/retries on its own/);
    expect(plainError('retryable: HTTP 503', 'dead')?.advice).toMatch(/Retry now/);
  });

  it('has nothing to say without an error', () => {
    expect(plainError(null, 'succeeded')).toBeUndefined();
  });
});
