/**
 * What `npm start` prints once the sandbox demo deal is sent: where things are, and the
 * commands that take the demo org further (a billing run, the invoices, an amendment).
 */
import type { DemoOrg } from './sandbox-org.js';

export interface BannerInput {
  baseUrl: string;
  simulatorsUrl: string;
  org: Pick<DemoOrg, 'apiKey' | 'resumed'>;
  /** Where the key is kept (0600). */
  keyFile: string;
  opportunityId: string;
  outboundMessageStatus: number;
  /** The billing run's date: two months ahead (YYYY-MM-DD). */
  billingDate: string;
}

export function sandboxBanner(b: BannerInput): string {
  const auth = `-H "Authorization: Bearer ${b.org.apiKey}"`;
  const json = '-H "content-type: application/json"';
  return `
sandbox mode: vendors are simulated on loopback (no credentials needed), at ${b.simulatorsUrl}
  demo org (${b.org.resumed ? 'resumed from an earlier start' : 'new'}) admin API key: ${b.org.apiKey}
    (kept in ${b.keyFile}, readable by you only)
  Outbound Message for opportunity ${b.opportunityId}: HTTP ${b.outboundMessageStatus}
  follow the deal:  curl ${auth} ${b.baseUrl}/api/v1/deals/salesforce/${b.opportunityId}/trace
  dead letters:     curl ${auth} "${b.baseUrl}/api/v1/jobs?state=dead"
  API description:  ${b.baseUrl}/api/v1/openapi.json
  bill two months ahead (every invoice ends paid and in QuickBooks):
    curl -X POST ${auth} ${json} \\
      -d '{"at": "${b.billingDate}"}' ${b.baseUrl}/api/v1/billing-runs
  then list invoices: curl ${auth} ${b.baseUrl}/api/v1/invoices
  amend the deal (5 more seats in Salesforce: a new contract version, a prorated charge, and a credit
  note that goes on to the tax engine and QuickBooks as a credit memo):
    curl -X POST ${json} -d '{}' ${b.simulatorsUrl}/salesforce/opportunities/${b.opportunityId}/amend
  then list credit notes: curl ${auth} ${b.baseUrl}/api/v1/credit-notes
`;
}

/** The demo's billing date: the same day two months on (YYYY-MM-DD). */
export function twoMonthsAhead(now: Date): string {
  const at = new Date(now);
  at.setUTCMonth(at.getUTCMonth() + 2);
  return at.toISOString().slice(0, 10);
}
