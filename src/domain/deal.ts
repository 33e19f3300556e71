/**
 * A CRM-neutral deal bundle: what a CRM adapter fetches for one closed deal, before mapping.
 * Amounts from the CRM stay decimal strings in major units, exactly as the CRM shows them.
 */
import type { CrmVendor } from './vendors.js';

export interface DealBundle {
  source: CrmVendor;
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
  /**
   * The people on the deal: Salesforce OpportunityContactRoles (one per role row), HubSpot
   * contacts associated with the deal. A mapping picks the billing contact from these.
   */
  contacts: DealContact[];
}

export interface DealContact {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  /**
   * The contact's part in the deal: Salesforce OpportunityContactRole.Role ("Decision Maker",
   * "Billing Contact"...), HubSpot's deal-to-contact association label; null when unlabelled.
   */
  role: string | null;
  /** Salesforce: the primary contact role; HubSpot: labelled "Primary". */
  isPrimary: boolean;
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
