/**
 * Outbound Messages: the SOAP notification a workflow rule sends when an opportunity changes,
 * built from the opportunity's current state.
 */
import { makeId } from '../ids.js';
import { buildOutboundMessage } from '../webhooks.js';
import type { FieldValue } from './schema.js';
import type { SalesforceSim } from './state.js';

/** The Outbound Message Salesforce would send for the opportunity's current state. */
export function outboundMessageFor(sim: SalesforceSim, opportunityId: string): string {
  const { store } = sim;
  const opp = store.get('Opportunity', opportunityId);
  if (!opp) throw new Error(`no opportunity ${opportunityId} in the simulator`);
  const names = [
    'Id',
    'Name',
    'StageName',
    'IsWon',
    'CloseDate',
    'Amount',
    'AccountId',
    'CurrencyIsoCode',
    'SystemModstamp',
  ];
  const fields: Record<string, FieldValue> = {};
  for (const name of names) if (name in opp) fields[name] = opp[name];
  // SOAP writes xsd:dateTime in UTC with a Z.
  fields.SystemModstamp = new Date(String(opp.SystemModstamp).replace(/\+0000$/, 'Z')).toISOString();
  sim.counters.notification += 1;
  return buildOutboundMessage({
    organizationId: sim.organizationId,
    actionId: makeId('04k', 1),
    instanceUrl: sim.options.instanceUrl,
    notifications: [{ id: makeId('04l', sim.counters.notification), objectType: 'Opportunity', fields }],
  });
}
