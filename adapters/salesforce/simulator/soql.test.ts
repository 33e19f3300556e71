/** The simulator's SOQL for the poller: IsWon = true AND SystemModstamp > dateTime, ORDER BY, LIMIT. */
import { describe, expect, it } from 'vitest';
import { wonChangedSinceSoql } from '../index.js';
import { createSalesforceSimulator } from './index.js';
import { runSoql, SoqlError } from './soql.js';

describe('Salesforce simulator: the poller query', () => {
  it('filters on IsWon and SystemModstamp (exclusive), sorts and limits', () => {
    let now = new Date('2026-03-02T09:00:00.000Z');
    const sim = createSalesforceSimulator({ now: () => now });
    const a = sim.seedClosedWonOpportunity();
    now = new Date('2026-03-02T09:10:00.000Z');
    const b = sim.seedClosedWonOpportunity({ accountName: 'B' });
    sim.seedClosedWonOpportunity({ accountName: 'Open', stageName: 'Prospecting' });
    now = new Date('2026-03-02T09:05:00.000Z');
    const c = sim.seedClosedWonOpportunity({ accountName: 'C' });

    const ids = (soql: string) =>
      runSoql(sim.state.store, soql, '62.0').records.map((r) => (r as unknown as { Id: string }).Id);
    expect(ids(wonChangedSinceSoql('2026-03-02T08:00:00Z', 10))).toEqual([
      a.opportunityId,
      c.opportunityId,
      b.opportunityId,
    ]);
    expect(ids(wonChangedSinceSoql('2026-03-02T09:00:00Z', 10))).toEqual([c.opportunityId, b.opportunityId]);
    expect(ids(wonChangedSinceSoql('2026-03-02T08:00:00Z', 1))).toEqual([a.opportunityId]);
    expect(ids('SELECT Id FROM Opportunity WHERE IsWon = false')).toHaveLength(1);
    expect(ids('SELECT Id FROM Opportunity WHERE SystemModstamp > 2026-03-02T09:07:00+02:00')).toHaveLength(4);
  });

  it('with trigger stages: won or in one of the stages, names escaped as SOQL literals', () => {
    const sim = createSalesforceSimulator({ now: () => new Date('2026-03-02T09:00:00.000Z') });
    const won = sim.seedClosedWonOpportunity();
    const signed = sim.seedClosedWonOpportunity({ stageName: "Partner's Sign-off", accountName: 'P' });
    sim.seedClosedWonOpportunity({ stageName: 'Prospecting', accountName: 'Open' });
    const soql = wonChangedSinceSoql('2026-03-01T00:00:00Z', 10, ["Partner's Sign-off", 'Back\\slash']);
    expect(soql).toContain("(IsWon = true OR StageName IN ('Partner\\'s Sign-off', 'Back\\\\slash'))");
    const ids = runSoql(sim.state.store, soql, '62.0').records.map((r) => (r as unknown as { Id: string }).Id);
    expect(ids.sort()).toEqual([won.opportunityId, signed.opportunityId].sort());
  });

  it('refuses what it does not speak, as Salesforce would', () => {
    const sim = createSalesforceSimulator();
    // The store has no field types: a filter's type is checked against the values it meets.
    sim.seedClosedWonOpportunity();
    const run = (soql: string) => () => runSoql(sim.state.store, soql, '62.0');
    expect(run("SELECT Id FROM Opportunity WHERE Name > 'A'")).toThrow(SoqlError);
    expect(run('SELECT Id FROM Opportunity WHERE IsWon = true OR IsClosed = true')).toThrow(SoqlError);
    expect(run('SELECT Id FROM Opportunity WHERE Name = true')).toThrow(/boolean/);
    expect(run('SELECT Id FROM Opportunity WHERE Nope = true')).toThrow(/No such column/);
  });
});
