/**
 * Outbound Messages: Salesforce POSTs a SOAP envelope (text/xml) when a flow or workflow rule
 * fires, and retries until it gets the notificationsResponse ack, for up to 24 hours. Several
 * Notification elements may arrive in one message; each has its own Id (use it to dedupe).
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm
 *
 * The message carries no signature. Authenticate the endpoint another way (a secret in the
 * endpoint URL, mutual TLS, Salesforce IP ranges) and check OrganizationId against the
 * connected org; that check belongs to the caller, which knows the org.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import { makeId } from './ids.js';

export interface OutboundNotification {
  /** Notification id (04l...): stable across Salesforce's redeliveries of the same event. */
  id: string;
  objectType: string;
  objectId: string;
  /** The fields the outbound message was set up to send, as the text Salesforce sent. */
  fields: Record<string, string>;
}

export interface OutboundMessage {
  organizationId: string;
  actionId: string;
  notifications: OutboundNotification[];
}

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/** Salesforce puts at most 100 notifications in one message; a longer one is not from Salesforce. */
export const MAX_NOTIFICATIONS_PER_MESSAGE = 100;
const OUTBOUND_NS = 'http://soap.sforce.com/2005/09/outbound';

export const OUTBOUND_ACK_CONTENT_TYPE = 'text/xml; charset=utf-8';

/** The response Salesforce waits for; anything else makes it retry the message. */
export function outboundMessageAck(): string {
  return `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}"><soapenv:Body><notificationsResponse xmlns="${OUTBOUND_NS}"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>`;
}

/** The deepest element nesting the Outbound Message parser reads. */
export const MAX_XML_DEPTH = 32;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Keep every value as the text Salesforce sent ("1000.00" stays a string, ids stay intact).
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (_name, jpath) => jpath === 'Envelope.Body.notifications.Notification',
  // An Outbound Message nests about 7 deep (Envelope/Body/notifications/Notification/sObject/field);
  // anything far deeper is not from Salesforce and is refused before it costs memory.
  maxNestedTags: MAX_XML_DEPTH,
  // The five predefined entities (&amp; ...) are still decoded; a DTD, the only way to declare
  // more, is refused before parsing, so nothing can expand.
});

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'];
  return undefined;
}

const isNil = (value: unknown): boolean => isNode(value) && value['@_nil'] === 'true';

function parseNotification(node: unknown, index: number): Outcome<OutboundNotification> {
  const where = `Notification ${index + 1}`;
  if (!isNode(node)) return permanent(`${where} is empty`);
  const id = textOf(node.Id);
  if (!id) return permanent(`${where} has no Id`, { field: 'Notification.Id' });
  const sObject = node.sObject;
  if (!isNode(sObject)) return permanent(`${where} has no sObject`, { field: 'Notification.sObject' });
  // xsi:type="sf:Opportunity": the object type after the namespace prefix.
  const objectType = String(sObject['@_type'] ?? '').replace(/^.*:/, '');
  if (!objectType) return permanent(`${where} sObject has no xsi:type`, { field: 'sObject' });
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(sObject)) {
    if (name.startsWith('@_') || isNil(value)) continue; // attributes; xsi:nil fields are null
    const fieldText = value === '' ? '' : textOf(value);
    if (fieldText !== undefined) fields[name] = fieldText;
  }
  if (!fields.Id) return permanent(`${where} sObject has no Id`, { field: 'sObject.Id' });
  return { ok: true, value: { id, objectType, objectId: fields.Id, fields } };
}

/** Parses an Outbound Message body. Malformed or incomplete messages are permanent failures. */
export function parseOutboundMessage(xml: string): Outcome<OutboundMessage> {
  // Outbound messages never carry a DTD; refusing one keeps entity expansion out entirely.
  if (/<!DOCTYPE/i.test(xml)) return permanent('outbound message must not contain a DOCTYPE');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return permanent(`outbound message is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  }
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (error) {
    // The parser's own bounds (depth) throw; that is a refused message, not a failure of ours.
    return permanent(`outbound message refused: ${(error as Error).message} (at most ${MAX_XML_DEPTH} levels)`);
  }
  const envelope = doc.Envelope;
  const body = isNode(envelope) ? envelope.Body : undefined;
  const notifications = isNode(body) ? body.notifications : undefined;
  if (!isNode(notifications)) return permanent('not an outbound message: no soapenv:Envelope/Body/notifications');
  const organizationId = textOf(notifications.OrganizationId);
  if (!organizationId) return permanent('outbound message has no OrganizationId', { field: 'OrganizationId' });
  const actionId = textOf(notifications.ActionId);
  if (!actionId) return permanent('outbound message has no ActionId', { field: 'ActionId' });
  const list = Array.isArray(notifications.Notification) ? notifications.Notification : [];
  if (list.length === 0) return permanent('outbound message has no Notification', { field: 'Notification' });
  if (list.length > MAX_NOTIFICATIONS_PER_MESSAGE) {
    return permanent(
      `outbound message has ${list.length} notifications; Salesforce sends at most ${MAX_NOTIFICATIONS_PER_MESSAGE}`,
      { field: 'Notification' },
    );
  }
  const parsed: OutboundNotification[] = [];
  for (const [index, node] of list.entries()) {
    const notification = parseNotification(node, index);
    if (!notification.ok) return notification;
    parsed.push(notification.value);
  }
  return ok({ organizationId, actionId, notifications: parsed });
}

// ------------------------------------------------------------------ building (simulator, tests)

export type OutboundFieldValue = string | number | boolean | null | undefined;

export interface BuildOutboundMessageInput {
  organizationId: string;
  actionId?: string;
  sessionId?: string | null;
  /** Base of EnterpriseUrl/PartnerUrl (the org's instance URL). */
  instanceUrl?: string;
  apiVersion?: string;
  notifications: { id: string; objectType?: string; fields: Record<string, OutboundFieldValue> }[];
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An Outbound Message as Salesforce sends it (null fields are left out, as Salesforce does). */
export function buildOutboundMessage(input: BuildOutboundMessageInput): string {
  const version = input.apiVersion ?? '62.0';
  const instance = input.instanceUrl ?? 'https://example.my.salesforce.com';
  const org15 = input.organizationId.slice(0, 15);
  const session =
    input.sessionId == null ? '<SessionId xsi:nil="true"/>' : `<SessionId>${escapeXml(input.sessionId)}</SessionId>`;
  const notifications = input.notifications.map((n) => {
    const fields = Object.entries(n.fields)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([name, value]) => `<sf:${name}>${escapeXml(String(value))}</sf:${name}>`)
      .join('');
    const type = n.objectType ?? 'Opportunity';
    return `<Notification><Id>${escapeXml(n.id)}</Id><sObject xsi:type="sf:${type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${fields}</sObject></Notification>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
    '<soapenv:Body>',
    `<notifications xmlns="${OUTBOUND_NS}">`,
    `<OrganizationId>${escapeXml(input.organizationId)}</OrganizationId>`,
    `<ActionId>${escapeXml(input.actionId ?? makeId('04k', 1))}</ActionId>`,
    session,
    `<EnterpriseUrl>${escapeXml(`${instance}/services/Soap/c/${version}/${org15}`)}</EnterpriseUrl>`,
    `<PartnerUrl>${escapeXml(`${instance}/services/Soap/u/${version}/${org15}`)}</PartnerUrl>`,
    ...notifications,
    '</notifications>',
    '</soapenv:Body>',
    '</soapenv:Envelope>',
  ].join('');
}
