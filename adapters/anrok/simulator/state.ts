/**
 * The simulated Anrok seller account: its transactions (keyed by the caller's id), products
 * (keyed by external id) and customers with their exemption certificates.
 */

export interface SimLine {
  id: string;
  productExternalId: string;
  /** Minor units; negative on a return or a negation. */
  amount: number;
  quantity: string;
  /** Tax on the line, minor units, same sign as the amount. */
  tax: number;
  /** The rate applied ("0.0725"), "0" when exempt or untaxed. */
  rate: string;
  exempt: boolean;
}

export interface SimTransaction {
  id: string;
  type: 'normal' | 'void';
  version: number;
  currencyCode: string;
  customerAddress: Record<string, string>;
  customerId: string | null;
  accountingDate: string;
  taxDate: string;
  lines: SimLine[];
  /** Set on a negation: the transaction it negates. */
  negationOf: string | null;
  createdTime: string;
  modifiedTime: string;
}

/** The API key the simulator accepts unless told otherwise (sandbox mode passes it to the adapter). */
export const SIMULATOR_API_KEY = 'anrok-simulator-api-key';

export interface AnrokSimulatorOptions {
  now?: () => Date;
  apiKey?: string;
  /** Rates by US state code, replacing DEFAULT_RATES. */
  rates?: Readonly<Record<string, string>>;
}

export class AnrokSimState {
  readonly transactions = new Map<string, SimTransaction>();
  readonly products = new Map<string, { taxCategoryId: string; name: string }>();
  /** Anrok customers by id, with the jurisdictions (`us-CA`, ...) they hold exemption certificates for. */
  readonly customers = new Map<string, { certificateJurisIds: string[] }>();

  count(): number {
    return this.transactions.size;
  }

  find(id: string): SimTransaction | undefined {
    return this.transactions.get(id);
  }

  /** Test and sandbox knob: a product Anrok knows (tax category `saas` by default). */
  addProduct(externalId: string, taxCategoryId = 'saas', name = externalId): void {
    this.products.set(externalId, { taxCategoryId, name });
  }

  /** Test and sandbox knob: a customer with exemption certificates for these jurisdictions. */
  addExemptCustomer(id: string, jurisIds: string[]): void {
    this.customers.set(id, { certificateJurisIds: jurisIds });
  }
}

export interface AnrokSim {
  readonly now: () => Date;
  readonly apiKey: string;
  readonly rates: Readonly<Record<string, string>>;
  readonly state: AnrokSimState;
}
