/**
 * The vendor unions, defined once: ports, the registry, repositories and flows all type their
 * vendor ids with these, so adding a vendor is one edit here plus its adapter folder.
 */
export const CRM_VENDORS = ['salesforce', 'hubspot'] as const;
export type CrmVendor = (typeof CRM_VENDORS)[number];

/** Narrows a stored source system (a contract's, a connection's) to a CRM vendor. */
export function isCrmVendor(id: string): id is CrmVendor {
  return (CRM_VENDORS as readonly string[]).includes(id);
}

export const TAX_VENDORS = ['avalara', 'anrok'] as const;
export type TaxVendor = (typeof TAX_VENDORS)[number];

/** What computes an invoice's tax: a connected tax vendor, or the org's manual rate table (no engine). */
export type TaxEngine = TaxVendor | 'manual';
export const TAX_ENGINES = [...TAX_VENDORS, 'manual'] as const;

export const PAYMENT_VENDORS = ['stripe', 'adyen', 'razorpay'] as const;
export type PaymentVendor = (typeof PAYMENT_VENDORS)[number];

export const ERP_VENDORS = ['quickbooks', 'xero', 'netsuite'] as const;
export type ErpVendor = (typeof ERP_VENDORS)[number];

export function isErpVendor(id: string): id is ErpVendor {
  return (ERP_VENDORS as readonly string[]).includes(id);
}

/** Every vendor, CRMs first (the order the UI and the API list them in). */
export const VENDORS = [...CRM_VENDORS, ...TAX_VENDORS, ...PAYMENT_VENDORS, ...ERP_VENDORS] as const;
export type Vendor = (typeof VENDORS)[number];

/** A stored connection as the registry turns it into a port: config and decrypted secrets. */
export interface ConnectionMaterial {
  vendor: Vendor;
  config: Record<string, string>;
  secrets: Record<string, string>;
}
