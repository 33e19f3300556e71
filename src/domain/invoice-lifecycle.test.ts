import { describe, expect, it } from 'vitest';
import {
  amountDueMinor,
  INVOICE_EVENTS,
  INVOICE_STATUSES,
  type InvoiceEvent,
  type InvoiceStatus,
  isIssuedCredit,
  legalEvents,
  transition,
} from './invoice-lifecycle.js';

/** Written out by hand (not read from TRANSITIONS) so a change to the table must change this too. */
const LEGAL: readonly [InvoiceStatus, InvoiceEvent, InvoiceStatus][] = [
  ['draft', 'request_tax', 'tax_pending'],
  ['draft', 'finalize', 'finalized'],
  ['draft', 'void', 'void'],
  ['tax_pending', 'commit_tax', 'finalized'],
  ['tax_pending', 'void', 'void'],
  ['finalized', 'pay', 'paid'],
  ['finalized', 'pay_partial', 'partially_paid'],
  ['finalized', 'mark_overdue', 'overdue'],
  ['finalized', 'mark_uncollectible', 'uncollectible'],
  ['finalized', 'void', 'void'],
  ['partially_paid', 'pay', 'paid'],
  ['partially_paid', 'pay_partial', 'partially_paid'],
  ['partially_paid', 'mark_overdue', 'overdue'],
  ['partially_paid', 'mark_uncollectible', 'uncollectible'],
  ['overdue', 'pay', 'paid'],
  ['overdue', 'pay_partial', 'overdue'],
  ['overdue', 'mark_uncollectible', 'uncollectible'],
  ['overdue', 'void', 'void'],
  ['uncollectible', 'pay', 'paid'],
  ['uncollectible', 'pay_partial', 'uncollectible'],
  ['uncollectible', 'void', 'void'],
];

const key = (s: InvoiceStatus, e: InvoiceEvent) => `${s}:${e}`;
const legal = new Map(LEGAL.map(([s, e, n]) => [key(s, e), n]));
const ALL_PAIRS = INVOICE_STATUSES.flatMap((s) => INVOICE_EVENTS.map((e) => [s, e] as const));
const ILLEGAL = ALL_PAIRS.filter(([s, e]) => !legal.has(key(s, e)));

describe('invoice lifecycle', () => {
  it('covers all 64 (state, event) pairs: 21 legal, 43 illegal', () => {
    expect(ALL_PAIRS).toHaveLength(64);
    expect(LEGAL).toHaveLength(21);
    expect(ILLEGAL).toHaveLength(43);
  });

  it.each(LEGAL)('%s --%s--> %s', (current, event, next) => {
    expect(transition(current, event)).toEqual({ ok: true, next });
  });

  it.each(ILLEGAL)('%s --%s--> refused, naming the current state', (current, event) => {
    const result = transition(current, event);
    expect(result).toMatchObject({ ok: false, code: 'illegal_transition', current, event });
    if (result.ok) throw new Error('unreachable');
    expect(result.detail).toContain(`that is ${current}`);
  });

  it('says what is possible instead, or that the state is final', () => {
    expect(transition('tax_pending', 'finalize')).toMatchObject({
      ok: false,
      detail: 'cannot finalize an invoice that is tax_pending; from tax_pending it can: commit_tax, void',
    });
    expect(transition('paid', 'void')).toMatchObject({
      ok: false,
      detail: 'cannot void an invoice that is paid (paid is final)',
    });
  });

  it('never lets a tax_pending invoice finalize without the tax commit', () => {
    expect(transition('tax_pending', 'finalize').ok).toBe(false);
    expect(transition('tax_pending', 'commit_tax')).toEqual({ ok: true, next: 'finalized' });
  });

  it('refuses overdue and uncollectible for credit notes, and allows the rest of the table', () => {
    for (const [current, event, next] of LEGAL) {
      const result = transition(current, event, 'credit_note');
      if (event === 'mark_overdue' || event === 'mark_uncollectible') {
        expect(result).toMatchObject({ ok: false, current });
        if (!result.ok) expect(result.detail).toContain(`credit note that is ${current}`);
      } else {
        expect(result).toEqual({ ok: true, next });
      }
    }
    for (const [current, event] of ILLEGAL) expect(transition(current, event, 'credit_note').ok).toBe(false);
  });

  it('lists the legal events of a state', () => {
    expect(legalEvents('finalized')).toEqual(['pay', 'pay_partial', 'mark_overdue', 'mark_uncollectible', 'void']);
    expect(legalEvents('finalized', 'credit_note')).toEqual(['pay', 'pay_partial', 'void']);
    expect(legalEvents('void')).toEqual([]);
  });
});

describe('amount due', () => {
  it.each([
    ['draft', 12_000, 0, 0, 12_000],
    ['finalized', 12_000, 0, 2_500, 9_500],
    ['partially_paid', 12_000, 5_000, 2_500, 4_500],
    ['overdue', 12_000, 5_000, 0, 7_000],
    ['uncollectible', 12_000, 0, 0, 12_000],
    // Credits beyond what is left never make it negative.
    ['finalized', 12_000, 10_000, 5_000, 0],
    ['paid', 12_000, 12_000, 0, 0],
    ['void', 12_000, 0, 0, 0],
  ] as const)('%s total %i paid %i credited %i → %i', (status, totalMinor, amountPaidMinor, creditedMinor, due) => {
    expect(amountDueMinor({ status, totalMinor, amountPaidMinor, creditedMinor })).toBe(due);
  });
});

describe('issued credit notes', () => {
  it('count once finalized and until voided', () => {
    const issued = INVOICE_STATUSES.filter(isIssuedCredit);
    expect(issued).toEqual(['finalized', 'paid', 'partially_paid', 'overdue', 'uncollectible']);
  });
});
