/** The registry's list and the vendor unions of src/domain/vendors.ts name the same vendors. */
import { describe, expect, it } from 'vitest';
import { CRM_VENDORS, ERP_VENDORS, PAYMENT_VENDORS, TAX_VENDORS, VENDORS } from '../src/domain/vendors.js';
import { VENDOR_MODULES, vendorModule } from './registry.js';

const UNION_OF_PORT = { crm: CRM_VENDORS, tax: TAX_VENDORS, payment: PAYMENT_VENDORS, erp: ERP_VENDORS } as const;

describe('vendor registry', () => {
  it('has one module per vendor of the unions, and no other', () => {
    const ids = VENDOR_MODULES.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...VENDORS].sort());
  });

  it.each(VENDOR_MODULES.map((m) => [m.id, m] as const))('%s sits in the union of the port it implements', (_, m) => {
    expect(UNION_OF_PORT[m.port] as readonly string[]).toContain(m.id);
    expect(vendorModule(m.id)).toBe(m);
  });

  it.each(VENDOR_MODULES.map((m) => [m.id, m] as const))('%s declares webhooks of its own port only', (_, m) => {
    for (const endpoint of m.webhooks ?? []) expect(endpoint.port).toBe(m.port);
  });

  it.each(VENDOR_MODULES.map((m) => [m.id, m] as const))('%s points at a simulator factory', async (_, m) => {
    expect(typeof (await m.simulator())).toBe('function');
  });
});
