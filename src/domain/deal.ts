/**
 * A CRM-neutral deal bundle: what a CRM adapter fetches for one closed deal, before mapping.
 * Amounts from the CRM stay decimal strings in major units, exactly as the CRM shows them.
 */
export interface DealBundle {
  source: 'salesforce' | 'hubspot';
  deal: {
    id: string;
    name: string;
    stage: string;
    isWon: boolean;
    closeDate: string; // YYYY-MM-DD
    currency: string | null; // CRM currency code as given (may be absent or unknown)
    amount: string | null;
    accountId: string | null;
    lastModified: string;
    /**
     * The id of the deal this one renews (same CRM), or null: read from the field the CRM
     * connection names (Salesforce `renewalOfField`, HubSpot `renewalOfProperty`).
     */
    renewalOf: string | null;
  };
  account: {
    id: string;
    name: string;
    email: string | null;
    billingAddress: PostalAddress | null;
  } | null;
  lineItems: DealLineItem[];
}

export interface DealLineItem {
  id: string;
  productId: string;
  productCode: string | null;
  productName: string;
  quantity: string;
  unitPrice: string;
  description: string | null;
  /** Free-form product attributes a mapping may read (e.g. a billing-model picklist). */
  attributes: Record<string, string | number | boolean | null>;
}

export interface PostalAddress {
  line1: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}
