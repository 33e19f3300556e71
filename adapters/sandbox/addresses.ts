/**
 * The address rule the tax simulators share: an address "resolves" when it has a country and, in
 * the US, a street line, a two-letter state and a five-digit ZIP (ZIP+4 allowed). A real engine
 * geocodes; this is enough to reject the addresses people actually get wrong.
 */
const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Why a simulated engine cannot resolve the address (the field and a sentence), or null when it can. */
export function unresolvable(a: Record<string, unknown>): { field: string; details: string } | null {
  const country = str(a.country).toUpperCase();
  if (!country) return { field: 'country', details: 'A country is required.' };
  if (country !== 'US') return null;
  if (!/^[A-Z]{2}$/i.test(str(a.region)))
    return { field: 'region', details: `"${str(a.region)}" is not a US state code.` };
  if (!/^\d{5}(-\d{4})?$/.test(str(a.postalCode))) {
    return { field: 'postalCode', details: `"${str(a.postalCode)}" is not a US ZIP code.` };
  }
  if (!str(a.line1)) return { field: 'line1', details: 'A street address is required.' };
  return null;
}
