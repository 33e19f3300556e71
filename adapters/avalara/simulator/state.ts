/**
 * The simulated AvaTax account: its companies (created on first use) and their transactions,
 * and what the route files share (the clock, the accepted credentials, the rates).
 */
import type { SimTransaction } from './transactions-model.js';

/** Credentials the simulator accepts unless told otherwise (sandbox mode passes these to the adapter). */
export const SIMULATOR_CREDENTIALS = Object.freeze({ accountId: '2000000001', licenseKey: 'SIMULATOR-LICENSE-KEY' });

export interface AvalaraSimulatorOptions {
  /** Clock for modifiedDate; defaults to the system clock. */
  now?: () => Date;
  credentials?: { accountId: string; licenseKey: string };
  /** Rates by US state code, replacing DEFAULT_RATES. */
  rates?: Readonly<Record<string, string>>;
}

/** The simulated account: companies (created on first use) and their transactions. */
export class AvalaraSimState {
  private readonly companies = new Map<string, { id: number; transactions: Map<string, SimTransaction> }>();
  private nextTransactionId = 850_000_001;
  private nextCompanyId = 7_000_001;

  company(companyCode: string): { id: number; transactions: Map<string, SimTransaction> } {
    let company = this.companies.get(companyCode);
    if (!company) {
      company = { id: this.nextCompanyId++, transactions: new Map() };
      this.companies.set(companyCode, company);
    }
    return company;
  }

  allocateTransactionId(): number {
    return this.nextTransactionId++;
  }

  /** Saved transactions of a company (every document type). */
  transactions(companyCode: string): SimTransaction[] {
    return [...(this.companies.get(companyCode)?.transactions.values() ?? [])];
  }

  count(companyCode: string): number {
    return this.companies.get(companyCode)?.transactions.size ?? 0;
  }

  find(companyCode: string, code: string, type = 'SalesInvoice'): SimTransaction | undefined {
    return this.companies.get(companyCode)?.transactions.get(`${type}:${code}`);
  }
}

/** Everything the route files share. */
export interface AvalaraSim {
  readonly now: () => Date;
  readonly credentials: { accountId: string; licenseKey: string };
  readonly rates: Readonly<Record<string, string>>;
  readonly state: AvalaraSimState;
}
