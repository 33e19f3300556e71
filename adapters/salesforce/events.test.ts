import { describe, expect, it } from 'vitest';
import {
  parseOpportunityEvents,
  salesforceTriggerStages,
  signEventBody,
  verifyEventSignature,
  wonState,
} from './events.js';

const OPP = '0068c0000000001AAA';

const cdc = (extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => ({
  schema: 's',
  payload: {
    ChangeEventHeader: {
      entityName: 'Opportunity',
      recordIds: [OPP],
      changeType: 'UPDATE',
      transactionKey: 'tx-1',
      sequenceNumber: 2,
      commitTimestamp: 1_772_442_000_000,
      changedFields: ['StageName'],
      ...header,
    },
    ...extra,
  },
  event: { replayId: 5 },
});

describe('parseOpportunityEvents', () => {
  it('reads a CDC event, bare or CometD-wrapped, one or many', () => {
    const one = parseOpportunityEvents(JSON.stringify(cdc({ StageName: 'Closed Won', IsWon: true })));
    expect(one).toMatchObject({
      ok: true,
      value: {
        received: 1,
        changes: [
          {
            kind: 'cdc',
            dedupeKey: 'tx-1:2',
            opportunityIds: [OPP],
            isWon: true,
            stageName: 'Closed Won',
            changeKey: '1772442000000',
          },
        ],
      },
    });
    const many = parseOpportunityEvents(JSON.stringify([{ data: cdc() }, cdc({}, { entityName: 'Account' })]));
    expect(many.ok && many.value.received).toBe(2);
    expect(many.ok && many.value.changes.map((c) => c.dedupeKey)).toEqual(['tx-1:2']);
  });

  it('reads a deal platform event keyed by replayId', () => {
    const body = { data: { payload: { OpportunityId__c: OPP, StageName__c: 'Closed Won' }, event: { replayId: 9 } } };
    const parsed = parseOpportunityEvents(JSON.stringify(body));
    expect(parsed).toMatchObject({
      ok: true,
      value: { changes: [{ kind: 'platform-event', dedupeKey: '9', stageName: 'Closed Won' }] },
    });
  });

  it('names the field at fault', () => {
    expect(parseOpportunityEvents('nope')).toMatchObject({ ok: false, status: 400 });
    expect(parseOpportunityEvents(JSON.stringify(cdc({}, { transactionKey: undefined })))).toMatchObject({
      ok: false,
      field: '[0].payload.ChangeEventHeader.transactionKey',
    });
    expect(parseOpportunityEvents(JSON.stringify({ payload: { OpportunityId__c: OPP } }))).toMatchObject({
      ok: false,
      field: '[0].event.replayId',
    });
    expect(parseOpportunityEvents(JSON.stringify({ payload: { Other: 1 } }))).toMatchObject({ ok: false });
  });
});

describe('wonState', () => {
  const change = (extra: Record<string, unknown>) => {
    const parsed = parseOpportunityEvents(JSON.stringify(cdc(extra)));
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.value.changes[0]!;
  };
  it('is won on IsWon or the trigger stage, unknown when the event does not say', () => {
    expect(wonState(change({ IsWon: true }), ['Closed Won'])).toBe('won');
    expect(wonState(change({ StageName: 'Signed' }), ['Contract Sent', 'Signed'])).toBe('won');
    expect(wonState(change({ StageName: 'Negotiation' }), ['Closed Won'])).toBe('not-won');
    expect(wonState(change({ IsWon: false }), ['Closed Won'])).toBe('not-won');
    expect(wonState(change({ IsWon: false, StageName: 'Signed' }), ['Signed'])).toBe('won');
    expect(wonState(change({ Amount: 10 }), ['Closed Won'])).toBe('unknown');
  });

  it('reads the trigger stages from the connection config, default Closed Won', () => {
    expect(salesforceTriggerStages({})).toEqual(['Closed Won']);
    expect(salesforceTriggerStages({ triggerStages: ' Contract Signed , Closed Won,' })).toEqual([
      'Contract Signed',
      'Closed Won',
    ]);
    expect(salesforceTriggerStages({ triggerStage: 'Signed' })).toEqual(['Signed']);
    expect(salesforceTriggerStages({ triggerStages: ' , ' })).toEqual(['Closed Won']);
  });
});

describe('event signature', () => {
  it('accepts the right HMAC and refuses anything else', async () => {
    const sig = await signEventBody('{"a":1}', 'k');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect((await verifyEventSignature('{"a":1}', sig, 'k')).ok).toBe(true);
    expect((await verifyEventSignature('{"a":2}', sig, 'k')).ok).toBe(false);
    expect((await verifyEventSignature('{"a":1}', sig, 'other')).ok).toBe(false);
    expect((await verifyEventSignature('{"a":1}', undefined, 'k')).ok).toBe(false);
    expect((await verifyEventSignature('{"a":1}', sig.replace('sha256=', 'sha1='), 'k')).ok).toBe(false);
  });
});
