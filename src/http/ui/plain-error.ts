/**
 * A job's last error in plain words for the sync log. The stored text is the job layer's
 * ("gave up after 8 attempts; last error retryable: QuickBooks HTTP 500 ..."), precise but terse; this
 * says what happened, whether the hub is still trying, and what a person can do.
 */
export interface PlainError {
  summary: string;
  advice: string;
}

function cause(reason: string): string {
  const status = /\b(?:HTTP|status)\s*(\d{3})\b/i.exec(reason)?.[1] ?? /\b(4\d\d|5\d\d)\b/.exec(reason)?.[1];
  if (status === '429') return 'the vendor is rate-limiting the hub (HTTP 429)';
  if (status === '401' || status === '403') return `the vendor refused the hub's credentials (HTTP ${status})`;
  if (status?.startsWith('5')) return `the vendor failed with a server error (HTTP ${status})`;
  if (status?.startsWith('4')) return `the vendor refused the request (HTTP ${status})`;
  if (/timed? ?out|ETIMEDOUT|ECONNRESET|ECONNREFUSED|fetch failed/i.test(reason))
    return 'the vendor could not be reached';
  return reason;
}

export function plainError(lastError: string | null, state: string): PlainError | undefined {
  if (!lastError) return undefined;
  const gaveUp = /^gave up after (\d+) attempts; last error (\w+): (.*)$/s.exec(lastError);
  if (gaveUp) {
    return {
      summary: `The hub tried ${gaveUp[1]} times and stopped: ${cause(gaveUp[3]!)}.`,
      advice: 'Fix the cause at the vendor (or wait until it recovers), then press Retry now.',
    };
  }
  const waiting = /^waiting on (\S+): (.*)$/s.exec(lastError);
  if (waiting) {
    return {
      summary: `Waiting for job ${waiting[1]} to finish first (${waiting[2]}).`,
      advice: 'Nothing to do: it runs once the job it waits on succeeds.',
    };
  }
  const kind = /^(permanent|retryable|indeterminate): (.*)$/s.exec(lastError);
  if (kind && kind[1] === 'permanent') {
    return {
      summary: `The request cannot succeed as it is: ${cause(kind[2]!)}.`,
      advice: 'Correct the data or the mapping it came from, then press Retry now; or mark it resolved.',
    };
  }
  if (kind) {
    return {
      summary: `The last attempt failed: ${cause(kind[2]!)}.`,
      advice:
        state === 'queued' ? 'The hub retries on its own with backoff.' : 'Press Retry now once the cause is fixed.',
    };
  }
  return {
    summary: lastError,
    advice: state === 'dead' ? 'Press Retry now once the cause is fixed, or mark it resolved.' : '',
  };
}
