import type { Context } from 'hono';

/**
 * A posted form's string fields; a body that is not a form, or does not parse, has none (the caller
 * then answers as for empty fields: bad input is a 4xx, never a 500).
 */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return {};
  try {
    const body = await c.req.parseBody();
    return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}
