/**
 * ResolveAddressPost (POST /api/v2/addresses/resolve): the simulator "resolves" an address when it
 * has a country, and, in the US, a two-letter state and a five-digit ZIP (ZIP+4 allowed). Anything
 * else answers 200 with an Error message, as AvaTax does for an address it cannot geocode.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Addresses/ResolveAddressPost/
 */
import type { Hono } from 'hono';

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Why the simulated address service cannot resolve the address, or null when it can. */
export function unresolvable(a: Record<string, unknown>): { refersTo: string; details: string } | null {
  const country = str(a.country).toUpperCase();
  if (!country) return { refersTo: 'Address.Country', details: 'A country is required.' };
  if (country !== 'US') return null;
  if (!/^[A-Z]{2}$/i.test(str(a.region))) {
    return { refersTo: 'Address.Region', details: `"${str(a.region)}" is not a US state code.` };
  }
  if (!/^\d{5}(-\d{4})?$/.test(str(a.postalCode))) {
    return { refersTo: 'Address.PostalCode', details: `"${str(a.postalCode)}" is not a US ZIP code.` };
  }
  if (!str(a.line1)) return { refersTo: 'Address.Line1', details: 'A street address is required.' };
  return null;
}

export function addressRoutes(app: Hono): void {
  app.post('/api/v2/addresses/resolve', async (c) => {
    const body = ((await c.req.json().catch(() => ({}))) ?? {}) as Record<string, unknown>;
    const address = {
      line1: str(body.line1),
      city: str(body.city),
      region: str(body.region).toUpperCase(),
      postalCode: str(body.postalCode),
      country: str(body.country).toUpperCase(),
    };
    const problem = unresolvable(body);
    if (problem) {
      return c.json({
        address,
        validatedAddresses: [{ ...address, addressType: 'UnknownAddressType' }],
        resolutionQuality: 'NotCoded',
        messages: [
          {
            summary: 'The address is not deliverable.',
            details: problem.details,
            refersTo: problem.refersTo,
            severity: 'Error',
            source: 'Avalara.AvaTax.Services.Address',
          },
        ],
      });
    }
    return c.json({
      address,
      validatedAddresses: [{ ...address, addressType: 'StreetOrResidentialAddress' }],
      resolutionQuality: 'Intersection',
      messages: [],
    });
  });
}
