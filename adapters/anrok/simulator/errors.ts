/**
 * Anrok's error answers, as its API description gives them: 400 a JSON string, 409 a JSON
 * `{type}` object, 429 text/plain with Retry-After (seconds). 401 and 5xx bodies are not described;
 * the simulator answers text, which the adapter must read without a JSON body.
 */
import type { Context } from 'hono';

export const badRequest = (c: Context, message: string) => c.json(message, 400);
export const conflict = (c: Context, body: Record<string, string>) => c.json(body, 409);

export function faultAnswer(status: number): Response {
  if (status === 429) {
    return new Response('Rate limit exceeded', {
      status,
      headers: { 'content-type': 'text/plain', 'retry-after': '1' },
    });
  }
  if (status === 401) return new Response('Unauthorized', { status, headers: { 'content-type': 'text/plain' } });
  return new Response('Service unavailable', { status, headers: { 'content-type': 'text/plain' } });
}
