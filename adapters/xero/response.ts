/** What a Xero call came back with. */
export type XeroResponse =
  /** An HTTP answer, its body parsed when it was JSON. */
  | { kind: 'http'; status: number; headers: Headers; body: unknown }
  /** No usable answer: `stage` says whether the request failed before any answer or while reading the body. */
  | { kind: 'network'; stage: 'request' | 'body'; message: string }
  /** Not sent: the tenant's daily quota is spent until `waitMs` from now (limiter.ts). */
  | { kind: 'quota'; waitMs: number }
  /** Not sent: the access token was rejected and could not be refreshed (`message` says why). */
  | { kind: 'auth'; message: string };
