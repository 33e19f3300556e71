import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DeferralInput, deferredAt, earnedIn, periodDeferral } from './deferral.js';
import { modifyObligation } from './modification.js';
import { type BilledDocument, performanceObligations } from './obligations.js';
import { monthsBetween, waterfall } from './waterfall.js';

const doc = (over: Partial<BilledDocument> = {}): BilledDocument => ({
  id: 'inv_1',
  number: 'INV-1',
  currency: 'USD',
  documentKind: 'first',
  issueDate: '2026-01-15',
  servicePeriod: { start: '2026-01-15', end: '2027-01-15' },
  lines: [
    {
      lineId: 'l1',
      lineNo: 1,
      productId: 'platform',
      description: 'Platform',
      quantity: '1',
      amountMinor: 100_000,
      servicePeriod: null,
    },
    {
      lineId: 'l2',
      lineNo: 2,
      productId: 'seat',
      description: 'Seats',
      quantity: '25',
      amountMinor: 100_000,
      servicePeriod: null,
    },
    {
      lineId: 'l3',
      lineNo: 3,
      productId: 'discount',
      description: '10% off',
      quantity: '1',
      amountMinor: -20_001,
      servicePeriod: null,
    },
  ],
  ...over,
});

describe('performance obligations', () => {
  it('allocates the discounted price by relative SSP, adding up to the minor unit', () => {
    // Platform's SSP 1,200.00; seats 30.00 each → 750.00: weights 1200 : 750.
    const obligations = performanceObligations(
      doc(),
      new Map([
        ['platform', '1200.00'],
        ['seat', '30'],
      ]),
    );
    expect(obligations.map((o) => o.sspMinor)).toEqual([120_000, 75_000]);
    const allocated = obligations.map((o) => o.allocatedMinor);
    expect(allocated.reduce((a, b) => a + b, 0)).toBe(179_999);
    // 179,999 × 1200/1950 = 110,768.6…, × 750/1950 = 69,230.3…: the larger remainder takes the cent.
    expect(allocated).toEqual([110_769, 69_230]);
    for (const o of obligations) {
      expect(o.pattern).toBe('ratable_daily');
      expect(o.schedule.reduce((s, e) => s + e.amountMinor, 0)).toBe(o.allocatedMinor);
      expect(o.schedule[0]!.month).toBe('2026-01');
    }
    expect(obligations[0]!.explanation).toContain('SSP table 1200.00 × 1');
  });

  it('uses the billed amounts without an SSP entry, and recognizes usage as billed', () => {
    const [usage] = performanceObligations(
      doc({
        documentKind: 'usage',
        lines: [doc().lines[0]!],
        servicePeriod: { start: '2026-01-01', end: '2026-02-01' },
        issueDate: '2026-02-01',
      }),
      new Map(),
    );
    expect(usage!.pattern).toBe('as_billed');
    expect(usage!.schedule).toEqual([expect.objectContaining({ month: '2026-02', amountMinor: 100_000 })]);
  });
});

describe('month-close deferral', () => {
  const input = (over: Partial<DeferralInput> = {}): DeferralInput => ({
    obligations: performanceObligations(doc(), new Map()),
    sign: 1,
    issuedPeriod: '2026-01',
    voidedPeriod: null,
    ...over,
  });

  it('defers at issue and releases month by month down to nothing', () => {
    const months = monthsBetween('2025-12', '2027-02');
    const changes = months.map((m) => periodDeferral(input(), m).deferMinor);
    expect(changes[0]).toBe(0);
    expect(changes[1]).toBeGreaterThan(0);
    expect(changes.slice(2).every((c) => c <= 0)).toBe(true);
    expect(changes.reduce((a, b) => a + b, 0)).toBe(0);
    // January earns 17 of 365 days: what stays deferred is the rest.
    expect(deferredAt(input(), '2026-01')).toBe(179_999 - earnedIn(input(), '2026-01'));
    expect(months.reduce((s, m) => s + earnedIn(input(), m), 0)).toBe(179_999);
  });

  it('releases everything in the month of a void', () => {
    const voided = input({ voidedPeriod: '2026-03' });
    expect(periodDeferral(voided, '2026-03').deferMinor).toBe(-deferredAt(voided, '2026-02'));
    expect(deferredAt(voided, '2026-03')).toBe(0);
    expect(periodDeferral(voided, '2026-04').deferMinor).toBe(0);
  });

  it('holds for random documents: deferred plus earned so far is what was billed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 800 }),
        fc.integer({ min: 0, max: 27 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom<1 | -1>(1, -1),
        (amount, days, startDay, lateMonths, sign) => {
          const start = `2026-02-${String(startDay + 1).padStart(2, '0')}`;
          const end = new Date(Date.parse(`${start}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
          const d = doc({
            servicePeriod: { start, end },
            lines: [{ ...doc().lines[0]!, amountMinor: amount }],
          });
          const issuedPeriod = monthsBetween('2026-02', '2026-06')[lateMonths]!;
          const subject = input({ obligations: performanceObligations(d, new Map()), sign, issuedPeriod });
          let earned = 0;
          let booked = 0;
          for (const m of monthsBetween('2026-01', '2028-12')) {
            earned += earnedIn(subject, m);
            booked += periodDeferral(subject, m).deferMinor;
            expect(booked).toBe(deferredAt(subject, m));
            if (m >= issuedPeriod) expect(deferredAt(subject, m) + earned).toBe(sign * amount);
          }
          expect(booked).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lays out the waterfall by billing month', () => {
    const rows = waterfall([{ ...input(), currency: 'USD' }], monthsBetween('2026-01', '2026-03'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.billedMinor).toBe(179_999);
    expect(rows[0]!.recognized[0]! + rows[0]!.deferredAtEnd[0]!).toBe(179_999);
    expect(rows[0]!.deferredAtEnd[2]).toBe(rows[0]!.deferredAtEnd[1]! - rows[0]!.recognized[2]!);
  });
});

describe('contract modifications', () => {
  const before = {
    amountMinor: 120_000,
    servicePeriod: { start: '2026-01-01', end: '2027-01-01' },
    method: 'ratable_monthly' as const,
  };
  const after = { ...before, amountMinor: 180_000 };

  it('prospective: what was earned stays, the rest of the new price spreads over what is left', () => {
    const { schedule, explanation } = modifyObligation({
      before,
      after,
      effectiveDate: '2026-07-01',
      remainingDistinct: true,
    });
    expect(explanation).toMatchObject({ rule: 'prospective', earnedBeforeMinor: 60_000, catchUpMinor: 0 });
    expect(schedule.filter((e) => e.month < '2026-07').every((e) => e.amountMinor === 10_000)).toBe(true);
    expect(schedule.filter((e) => e.month >= '2026-07').every((e) => e.amountMinor === 20_000)).toBe(true);
    expect(schedule.reduce((s, e) => s + e.amountMinor, 0)).toBe(180_000);
  });

  it('cumulative catch-up: the new terms from the start, the past difference at once', () => {
    const { schedule, explanation } = modifyObligation({
      before,
      after,
      effectiveDate: '2026-07-01',
      remainingDistinct: false,
    });
    expect(explanation).toMatchObject({ rule: 'cumulative_catch_up', earnedBeforeMinor: 60_000, catchUpMinor: 30_000 });
    expect(explanation.why).toContain('not distinct');
    expect(schedule.find((e) => e.month === '2026-07')!.amountMinor).toBe(15_000 + 30_000);
    expect(schedule.find((e) => e.month === '2026-08')!.amountMinor).toBe(15_000);
    expect(schedule.reduce((s, e) => s + e.amountMinor, 0)).toBe(180_000);
  });
});
