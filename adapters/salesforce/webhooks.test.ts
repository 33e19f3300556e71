import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  buildOutboundMessage,
  OUTBOUND_ACK_CONTENT_TYPE,
  outboundMessageAck,
  parseOutboundMessage,
} from './webhooks.js';

/** An Outbound Message as Salesforce documents it, with the whitespace a real sender adds. */
const ONE = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5g0000012ABCEA2</OrganizationId>
   <ActionId>04k5g000000OmAcAAK</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://globex.my.salesforce.com/services/Soap/c/62.0/00D5g0000012ABC</EnterpriseUrl>
   <PartnerUrl>https://globex.my.salesforce.com/services/Soap/u/62.0/00D5g0000012ABC</PartnerUrl>
   <Notification>
    <Id>04l5g000001xyzAAAQ</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0065g00000KxYzQAAV</sf:Id>
     <sf:Amount>3200.50</sf:Amount>
     <sf:IsWon>true</sf:IsWon>
     <sf:Name>Globex &amp; Sons - Renewal</sf:Name>
     <sf:Description xsi:nil="true"/>
     <sf:StageName>Closed Won</sf:StageName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;

describe('parseOutboundMessage', () => {
  it('reads the org, the action and one notification, keeping values as sent', () => {
    const result = parseOutboundMessage(ONE);
    expect(result).toEqual({
      ok: true,
      value: {
        organizationId: '00D5g0000012ABCEA2',
        actionId: '04k5g000000OmAcAAK',
        notifications: [
          {
            id: '04l5g000001xyzAAAQ',
            objectType: 'Opportunity',
            objectId: '0065g00000KxYzQAAV',
            // "3200.50" stays text; nil fields are left out; entities are decoded.
            fields: {
              Id: '0065g00000KxYzQAAV',
              Amount: '3200.50',
              IsWon: 'true',
              Name: 'Globex & Sons - Renewal',
              StageName: 'Closed Won',
            },
          },
        ],
      },
    });
  });

  it('reads several notifications in order', () => {
    const xml = buildOutboundMessage({
      organizationId: '00D5g0000012ABCEA2',
      actionId: '04k5g000000OmAcAAK',
      notifications: [
        { id: '04l5g000001xyzAAAQ', fields: { Id: '0065g00000KxYzQAAV', StageName: 'Closed Won', IsWon: true } },
        {
          id: '04l5g000001xyzBAAQ',
          fields: { Id: '0065g00000KxYzRAAV', StageName: 'Closed Lost', IsWon: false, Amount: null },
        },
      ],
    });
    const result = parseOutboundMessage(xml);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.notifications.map((n) => [n.id, n.objectId, n.fields.StageName, n.fields.IsWon])).toEqual([
      ['04l5g000001xyzAAAQ', '0065g00000KxYzQAAV', 'Closed Won', 'true'],
      ['04l5g000001xyzBAAQ', '0065g00000KxYzRAAV', 'Closed Lost', 'false'],
    ]);
    expect(result.value.notifications[1].fields).not.toHaveProperty('Amount');
  });

  it('round-trips what buildOutboundMessage writes, escaping text', () => {
    const fields = { Id: '0065g00000KxYzQAAV', Name: 'R&D <pilot> "phase 2"', Amount: '0.10', CloseDate: '2026-01-14' };
    const result = parseOutboundMessage(
      buildOutboundMessage({
        organizationId: '00D5g0000012ABCEA2',
        notifications: [{ id: '04l5g000001xyzAAAQ', fields }],
      }),
    );
    expect(result.ok && result.value.notifications[0].fields).toEqual(fields);
  });

  it.each([
    ['not XML at all', 'hello', /not well-formed XML/],
    ['an unclosed tag', ONE.replace('</sf:StageName>', ''), /not well-formed XML/],
    ['a DOCTYPE (entity expansion)', `<!DOCTYPE x [<!ENTITY a "aaaa">]>${ONE.replace(/^<\?xml[^>]*>/, '')}`, /DOCTYPE/],
    ['another SOAP body', ONE.replace(/notifications/g, 'other'), /no soapenv:Envelope\/Body\/notifications/],
    ['no OrganizationId', ONE.replace(/<OrganizationId>.*<\/OrganizationId>/, ''), /no OrganizationId/],
    [
      'an empty OrganizationId',
      ONE.replace(/<OrganizationId>.*<\/OrganizationId>/, '<OrganizationId/>'),
      /no OrganizationId/,
    ],
    ['no Notification', ONE.replace(/<Notification>[\s\S]*<\/Notification>/, ''), /no Notification/],
    ['an sObject without Id', ONE.replace(/<sf:Id>.*<\/sf:Id>/, ''), /sObject has no Id/],
  ])('rejects %s as permanent with a clear reason', (_name, xml, reason) => {
    const result = parseOutboundMessage(xml);
    expect(result).toMatchObject({ ok: false, kind: 'permanent' });
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('outboundMessageAck', () => {
  it('is the notificationsResponse Salesforce waits for, as text/xml', () => {
    const ack = outboundMessageAck();
    expect(ack).toBe(
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>',
    );
    const parsed = new XMLParser({ removeNSPrefix: true, parseTagValue: false }).parse(ack);
    expect(parsed.Envelope.Body.notificationsResponse.Ack).toBe('true');
    expect(OUTBOUND_ACK_CONTENT_TYPE).toMatch(/^text\/xml/);
  });
});
