/** What a NetSuite call came back with: an HTTP answer (body parsed when it was JSON), or no usable answer at all. */
export type NsResponse =
  | { kind: 'http'; status: number; headers: Headers; body: unknown }
  /** `stage` says whether the request failed before any answer or while reading the body. */
  | { kind: 'network'; stage: 'request' | 'body'; message: string };
