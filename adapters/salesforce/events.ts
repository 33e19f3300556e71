/**
 * Change Data Capture and Platform Events for Opportunity, forwarded to the hub by a relay (a
 * Pub/Sub API or CometD subscriber the customer runs) as JSON. Pure: no I/O, no clock.
 *
 * CDC event message (OpportunityChangeEvent):
 * https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_event_fields_header.htm
 *   { "schema": "...", "payload": { "ChangeEventHeader": { "entityName": "Opportunity",
 *     "recordIds": ["006..."], "changeType": "UPDATE", "changeOrigin": "...",
 *     "transactionKey": "...", "sequenceNumber": 1, "commitTimestamp": 1767000000000,
 *     "commitNumber": 123, "commitUser": "005...", "changedFields": ["StageName", "IsWon"] },
 *     "StageName": "Closed Won", "IsWon": true, ... }, "event": { "replayId": 42 } }
 * An UPDATE carries only the fields that changed; one event may name several records that got
 * the same change (recordIds); GAP_* and GAP_OVERFLOW events carry no field values at all.
 * (transactionKey, sequenceNumber) identifies the change across redeliveries.
 *
 * Platform Event (a custom event the org publishes from a flow or trigger), expected fields:
 *   OpportunityId__c (Text 18, required), StageName__c (Text, optional), IsWon__c (Checkbox,
 *   optional), plus the standard CreatedDate.
 *   { "data": { "schema": "...", "payload": { "OpportunityId__c": "006...",
 *     "StageName__c": "Closed Won", "CreatedDate": "2026-03-02T09:00:00.000Z" },
 *     "event": { "replayId": 7 } }, "channel": "/event/Hub_Deal_Won__e" }
 *
 * Either shape may come bare or wrapped in `data` (CometD); the body is one event or an array.
 * The relay signs the raw body: `X-Hub-Signature: sha256=<hex of HMAC-SHA256(eventSecret, body)>`.
 */
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import { checkId } from './ids.js';

export const EVENT_SIGNATURE_HEADER = 'X-Hub-Signature';

export interface OpportunityChange {
  kind: 'cdc' | 'platform-event';
  /** Inbox dedupe key: `${transactionKey}:${sequenceNumber}` (CDC) or the replayId (Platform Event). */
  dedupeKey: string;
  opportunityIds: string[];
  /** CREATE, UPDATE, DELETE, UNDELETE, GAP_*; `PLATFORM_EVENT` for a platform event. */
  changeType: string;
  /** What the event says the deal is now; undefined when the event does not say. */
  isWon: boolean | undefined;
  stageName: string | undefined;
  /** Amendment change key: the commitTimestamp (CDC), else CreatedDate or replayId. */
  changeKey: string;
  /** The event as received (stored in the inbox). */
  raw: unknown;
}

export interface EventBatch {
  /** Events in the body, Opportunity or not. */
  received: number;
  /** The Opportunity changes among them. */
  changes: OpportunityChange[];
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (reason: string, field: string) => permanent(reason, { status: 400, field });

const replayIdOf = (v: unknown): string | null =>
  (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && v.length > 0) ? String(v) : null;

function parseOne(input: unknown, index: number): Outcome<OpportunityChange | null> {
  const where = `[${index}]`;
  const message = isNode(input) && isNode(input.data) ? input.data : input;
  if (!isNode(message) || !isNode(message.payload)) return bad(`event ${index} has no payload`, `${where}.payload`);
  const payload = message.payload;
  const replayId = isNode(message.event) ? replayIdOf(message.event.replayId) : null;
  const header = payload.ChangeEventHeader;
  if (isNode(header)) {
    if (header.entityName !== 'Opportunity') return ok(null);
    const { transactionKey, sequenceNumber, commitTimestamp, changeType } = header;
    if (typeof transactionKey !== 'string' || !transactionKey) {
      return bad(
        `event ${index} has no ChangeEventHeader.transactionKey`,
        `${where}.payload.ChangeEventHeader.transactionKey`,
      );
    }
    if (typeof sequenceNumber !== 'number' || !Number.isSafeInteger(sequenceNumber)) {
      return bad(
        `event ${index} has no ChangeEventHeader.sequenceNumber`,
        `${where}.payload.ChangeEventHeader.sequenceNumber`,
      );
    }
    if (typeof commitTimestamp !== 'number' || !Number.isFinite(commitTimestamp)) {
      return bad(
        `event ${index} has no ChangeEventHeader.commitTimestamp`,
        `${where}.payload.ChangeEventHeader.commitTimestamp`,
      );
    }
    if (typeof changeType !== 'string' || !changeType) {
      return bad(`event ${index} has no ChangeEventHeader.changeType`, `${where}.payload.ChangeEventHeader.changeType`);
    }
    const ids = header.recordIds;
    if (!Array.isArray(ids))
      return bad(`event ${index} has no ChangeEventHeader.recordIds`, `${where}.payload.ChangeEventHeader.recordIds`);
    const opportunityIds: string[] = [];
    for (const id of ids) {
      const reason = typeof id === 'string' ? checkId(id, '006') : 'must be a string';
      if (reason)
        return bad(`event ${index} record id ${String(id)} ${reason}`, `${where}.payload.ChangeEventHeader.recordIds`);
      opportunityIds.push(id as string);
    }
    return ok({
      kind: 'cdc',
      dedupeKey: `${transactionKey}:${sequenceNumber}`,
      opportunityIds,
      changeType,
      isWon: typeof payload.IsWon === 'boolean' ? payload.IsWon : undefined,
      stageName: typeof payload.StageName === 'string' ? payload.StageName : undefined,
      changeKey: String(commitTimestamp),
      raw: input,
    });
  }
  if ('OpportunityId__c' in payload) {
    const id = payload.OpportunityId__c;
    const reason = typeof id === 'string' ? checkId(id, '006') : 'must be a string';
    if (reason) return bad(`event ${index} OpportunityId__c ${reason}`, `${where}.payload.OpportunityId__c`);
    if (!replayId) return bad(`event ${index} has no event.replayId`, `${where}.event.replayId`);
    const created = typeof payload.CreatedDate === 'string' ? payload.CreatedDate : undefined;
    return ok({
      kind: 'platform-event',
      dedupeKey: replayId,
      opportunityIds: [id as string],
      changeType: 'PLATFORM_EVENT',
      isWon: typeof payload.IsWon__c === 'boolean' ? payload.IsWon__c : undefined,
      stageName: typeof payload.StageName__c === 'string' ? payload.StageName__c : undefined,
      changeKey: created ?? `replay-${replayId}`,
      raw: input,
    });
  }
  return bad(
    `event ${index} is neither a change event (payload.ChangeEventHeader) nor a deal platform event (payload.OpportunityId__c)`,
    `${where}.payload`,
  );
}

/** Parses the relay's JSON body. Any malformed event rejects the whole body (nothing is stored). */
export function parseOpportunityEvents(rawBody: string): Outcome<EventBatch> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return permanent('event body is not JSON', { status: 400 });
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) return bad('event body holds no events', '[]');
  const changes: OpportunityChange[] = [];
  for (const [index, item] of list.entries()) {
    const one = parseOne(item, index);
    if (!one.ok) return one;
    if (one.value) changes.push(one.value);
  }
  return ok({ received: list.length, changes });
}

export const DEFAULT_TRIGGER_STAGE = 'Closed Won';

/**
 * The stage names that start billing for a Salesforce connection: its `triggerStages` config
 * (comma-separated; `triggerStage`, one name, is read too), default Closed Won. A won deal
 * (IsWon) always counts as well, whatever its stage is called.
 */
export function salesforceTriggerStages(config: Record<string, string | undefined>): string[] {
  const names = (config.triggerStages ?? config.triggerStage ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length > 0 ? names : [DEFAULT_TRIGGER_STAGE];
}

/**
 * Won per the event: IsWon true, or the stage one of the trigger stages. 'unknown' when the
 * event does not carry either (an UPDATE of other fields, a GAP event).
 */
export function wonState(
  change: Pick<OpportunityChange, 'isWon' | 'stageName'>,
  triggerStages: readonly string[],
): 'won' | 'not-won' | 'unknown' {
  if (change.isWon === true || (change.stageName !== undefined && triggerStages.includes(change.stageName))) {
    return 'won';
  }
  if (change.isWon === false || change.stageName !== undefined) return 'not-won';
  return 'unknown';
}

// ------------------------------------------------------------------ signature

const encoder = new TextEncoder();

const hmacKey = (secret: string, usage: 'sign' | 'verify') =>
  crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);

function fromHex(hex: string): Uint8Array | null {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** `sha256=<hex>` for a body (the relay's side; used by tests and the sandbox). */
export async function signEventBody(body: string, secret: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), encoder.encode(body)));
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Checks `X-Hub-Signature: sha256=<hex>`; crypto.subtle.verify compares in constant time. */
export async function verifyEventSignature(
  body: string,
  header: string | null | undefined,
  secret: string,
): Promise<Outcome<void>> {
  const rejected = (reason: string) => permanent(`event relay request rejected: ${reason}`, { status: 401 });
  if (!header) return rejected(`missing ${EVENT_SIGNATURE_HEADER} header`);
  const match = /^sha256=(.+)$/.exec(header.trim());
  const given = match ? fromHex(match[1]!) : null;
  if (!given) return rejected(`${EVENT_SIGNATURE_HEADER} is not sha256=<hex>`);
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), given, encoder.encode(body));
  return valid ? ok(undefined) : rejected('signature does not match');
}
