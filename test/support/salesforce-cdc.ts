/**
 * Salesforce Change Data Capture messages as the customer's relay forwards them to
 * `POST /webhooks/salesforce/events/{connectionId}` (shape: adapters/salesforce/events.ts), for
 * tests on any runtime.
 */

/**
 * An OpportunityChangeEvent: the Opportunity moved to Closed Won at `at`. `transactionKey` and
 * `sequenceNumber` identify the change across redeliveries (the hub's inbox key).
 */
export function opportunityWonChange(
  opportunityId: string,
  options: { at: Date; replayId?: number; transactionKey?: string },
) {
  return {
    schema: 'IeRuaY6cbI_HsV8Rv1Mc5g',
    payload: {
      ChangeEventHeader: {
        entityName: 'Opportunity',
        recordIds: [opportunityId],
        changeType: 'UPDATE',
        changeOrigin: 'com/salesforce/api/soap/62.0;client=SfdcInternalAPI/',
        transactionKey: options.transactionKey ?? '0004b1c2-7dd0-4a1e-9b4f-1f6e0e1d2c3b',
        sequenceNumber: 1,
        commitTimestamp: options.at.getTime(),
        commitNumber: 10_980_756_541_231,
        commitUser: '005000000000001AAA',
        changedFields: ['StageName', 'IsWon', 'IsClosed', 'LastModifiedDate'],
        diffFields: [],
        nulledFields: [],
      },
      StageName: 'Closed Won',
      IsWon: true,
      IsClosed: true,
      LastModifiedDate: options.at.toISOString(),
    },
    event: { replayId: options.replayId ?? 101 },
  };
}
