/**
 * The public API speaks snake_case (README "API conventions"); internal objects such as the deal
 * trace are camelCase because they come straight from drizzle rows. This turns one into the
 * other at the HTTP boundary, so the embed page and the CRM card keep using the typed object.
 */
export function snakeCaseKey(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Every object key, at every depth, in snake_case; values (ids, dates, strings) untouched. */
export function toSnakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCaseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeCaseKey(k), toSnakeCaseKeys(v)]));
}
