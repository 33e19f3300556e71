/**
 * The webhooks HubSpot would send: v3-signed request headers, and the deal.propertyChange
 * event a stage change in the CRM produces.
 * https://developers.hubspot.com/docs/api/webhooks
 */
import { SIGNATURE_HEADER, signV3, TIMESTAMP_HEADER } from '../webhooks.js';
import type { HubSpotSim } from './state.js';

export interface WebhookToSign {
  method?: string;
  url: string;
  body: string;
  timestamp?: number;
}

/** Headers HubSpot sends with a webhook request (v3 signature only). */
export async function signWebhook(sim: HubSpotSim, input: WebhookToSign): Promise<Record<string, string>> {
  const timestamp = String(input.timestamp ?? sim.now().getTime());
  const signature = await signV3({
    method: input.method ?? 'POST',
    url: input.url,
    body: input.body,
    timestamp,
    clientSecret: sim.clientSecret,
  });
  return { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp };
}

/**
 * Moves the deal to `stage` (as a user would in HubSpot) and returns the
 * deal.propertyChange event HubSpot would post about it.
 */
export function dealStageChangedEvent(sim: HubSpotSim, dealId: string, stage: string) {
  const deal = sim.store.get('deals', dealId);
  if (deal) sim.store.update(deal, { dealstage: stage });
  sim.counters.event += 1;
  return {
    eventId: sim.counters.event,
    subscriptionId: 1_234_567,
    portalId: sim.portalId,
    appId: 7_654_321,
    occurredAt: sim.now().getTime(),
    subscriptionType: 'deal.propertyChange',
    attemptNumber: 0,
    objectId: Number(dealId),
    propertyName: 'dealstage',
    propertyValue: stage,
    changeSource: 'CRM_UI',
    sourceId: 'userId:1234567',
  };
}
