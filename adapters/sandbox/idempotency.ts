/**
 * Idempotency as vendors implement it: the first response to a key is stored and replayed
 * for any later request with the same key; the same key with a different body is an error.
 */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export class IdempotencyCache {
  private readonly entries = new Map<string, { fingerprint: string; response: StoredResponse }>();

  /** Returns the stored response, `'conflict'` when the key was used with another body, or undefined. */
  lookup(key: string, fingerprint: string): StoredResponse | 'conflict' | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    return entry.fingerprint === fingerprint ? entry.response : 'conflict';
  }

  remember(key: string, fingerprint: string, response: StoredResponse): void {
    this.entries.set(key, { fingerprint, response });
  }

  get size(): number {
    return this.entries.size;
  }
}
