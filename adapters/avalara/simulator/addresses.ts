/**
 * ResolveAddressPost (POST /api/v2/addresses/resolve): the simulator resolves an address by the
 * tax simulators' shared rule (adapters/sandbox/addresses.ts); anything else answers 200 with an
 * Error message, as AvaTax does for an address it cannot geocode.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Addresses/ResolveAddressPost/
 */
import type { Hono } from 'hono';
import { unresolvable } from '../../sandbox/addresses.js';

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const AVATAX_FIELDS: Record<string, string> = {
  country: 'Address.Country',
  region: 'Address.Region',
  postalCode: 'Address.PostalCode',
  line1: 'Address.Line1',
};

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
            refersTo: AVATAX_FIELDS[problem.field],
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
