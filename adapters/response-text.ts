/**
 * What the fetch-based vendor clients (QuickBooks, Xero, NetSuite) do with a response body and a
 * transport error: the same reading for every vendor, so their error classifiers see alike shapes.
 */

/** A body as JSON when it parses, the text itself when it does not (an HTML error page), null when empty. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A fetch failure in words, with its cause (undici puts the socket error there). */
export function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
