/** Reads a JSON body against a zod schema, answering the problem (400, naming each field) itself. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { invalidRequest, zodFieldProblems } from './problem.js';

export async function readBody<T>(
  c: Context,
  schema: z.ZodType<T>,
): Promise<{ value: T; response?: undefined } | { response: Response }> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { response: invalidRequest(c, [{ field: '(body)', message: 'must be a JSON object' }]) };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      response: invalidRequest(c, zodFieldProblems(parsed.error.issues, { root: '(body)' })),
    };
  }
  return { value: parsed.data };
}

/** The Node request under a Hono context, as @hono/node-server hands it over in `c.env.incoming`. */
interface NodeIncoming {
  readableDidRead?: boolean;
  readableEnded?: boolean;
  listenerCount(event: string): number;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

function untouchedIncoming(c: Context): NodeIncoming | null {
  const incoming = (c.env as { incoming?: Partial<NodeIncoming> } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== 'function' || typeof incoming.listenerCount !== 'function') return null;
  // Only a body nobody has started to read (no web stream over it yet): else the usual path.
  if (incoming.readableDidRead !== false || incoming.readableEnded || incoming.listenerCount('data') > 0) return null;
  return incoming as NodeIncoming;
}

/**
 * The request body parsed as JSON (throws on malformed JSON, as c.req.json() does). On Node the
 * bytes are read straight from the socket's request when nothing has touched the body: the web
 * stream that c.req.json() reads through cost about a tenth of a 10,000-event batch over HTTP
 * (bench/ingest.ts). Elsewhere (Workers, app.request) it is c.req.json(). Body limits were
 * checked before (body-limits.ts: a declared length by its header; else the body was buffered
 * there and is read here the usual way).
 */
export async function readJson(c: Context): Promise<unknown> {
  const incoming = untouchedIncoming(c);
  if (!incoming) return c.req.json();
  const text = await new Promise<string>((resolve, reject) => {
    const parts: Uint8Array[] = [];
    incoming.on('data', (chunk) => parts.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    incoming.on('error', reject);
  });
  // Hono's body cache: a later c.req.json() or c.req.text() (the zod validator) reads this text.
  (c.req as unknown as { bodyCache: { text?: Promise<string> } }).bodyCache.text = Promise.resolve(text);
  return JSON.parse(text);
}
