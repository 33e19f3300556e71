/**
 * Request body limits for every route outside /webhooks (which has its own, webhooks.ts): each
 * sized to the largest legal request of its route, refused with a 413 problem naming the limit
 * before the body is buffered. https://hono.dev/docs/middleware/builtin/body-limit
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { problem } from './problem.js';

const KB = 1024;
const MB = 1024 * KB;

/** Default for API, OAuth and embed routes: contracts with many phases and mapping sets fit well within it. */
export const DEFAULT_BODY_LIMIT_BYTES = 1 * MB;

/**
 * Routes whose largest legal request differs from the default. A batch holds at most 10,000
 * events (ids plus bounded properties, routes/events.ts); 16 MB admits a full batch whose events
 * average over 1.5 KB each.
 */
export const BODY_LIMITS: Readonly<Record<string, number>> = {
  '/api/v1/events/batch': 16 * MB,
  '/api/v1/events': 64 * KB,
};

function limiter(maxSize: number): MiddlewareHandler {
  const tooLarge = (c: Context) =>
    problem(c, 413, 'Payload too large', `bodies of ${c.req.method} ${c.req.path} are limited to ${maxSize} bytes`, [
      { field: '(body)', message: `at most ${maxSize} bytes` },
    ]);
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  return (c, next) => {
    // A declared length is checked from the header alone, as bodyLimit does, but without touching
    // the body: on Node, asking for it turns the request into a web stream, and the batch route
    // reads a large body faster straight from the socket (routes/events.ts, read-body.ts).
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number.parseInt(length, 10) > maxSize ? Promise.resolve(tooLarge(c)) : next();
    }
    if (c.req.raw.body && JSON_TYPE.test(c.req.header('content-type') ?? '')) return readJsonText(c, next);
    return streamed(c, next);
  };

  /**
   * A JSON body of undeclared length (chunked, or a Request built in process): counted as it
   * streams in, as bodyLimit does, then decoded once into Hono's body cache, which c.req.json()
   * and the validators read. bodyLimit would copy the bytes into a new Request, to be streamed and
   * decoded again: for a 10,000-event batch that copy cost about a twentieth of the whole call
   * (bench/ingest.ts, in process).
   */
  async function readJsonText(c: Context, next: Next) {
    const reader = c.req.raw.body!.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxSize) {
        await reader.cancel();
        return tooLarge(c);
      }
      parts.push(value);
    }
    let bytes = parts[0] ?? new Uint8Array(0);
    if (parts.length > 1) {
      bytes = new Uint8Array(size);
      let offset = 0;
      for (const part of parts) {
        bytes.set(part, offset);
        offset += part.byteLength;
      }
    }
    const text = decoder.decode(bytes);
    (c.req as unknown as { bodyCache: { text?: Promise<string> } }).bodyCache.text = Promise.resolve(text);
    return next();
  }
}

/** Media types whose body the API reads as JSON text (c.req.json(), the zod JSON validator). */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json(?:\s*;|$)/i;
const decoder = new TextDecoder();

const limiters = new Map<number, MiddlewareHandler>();
const forSize = (size: number) => {
  const known = limiters.get(size);
  if (known) return known;
  const made = limiter(size);
  limiters.set(size, made);
  return made;
};

/** The limit middleware for a request: the route's own limit, else the default. */
export const requestBodyLimit: MiddlewareHandler = (c, next) =>
  forSize(BODY_LIMITS[c.req.path] ?? DEFAULT_BODY_LIMIT_BYTES)(c, next);
