/** Stripe dispute events in our terms (https://docs.stripe.com/api/disputes/object). */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { disputeEntry } from '../../src/domain/ledger.js';
import { fromEvent } from './map.js';

const event = (type: string, status: string) =>
  ({
    id: 'evt_1',
    object: 'event',
    type,
    created: 1_770_000_000,
    data: {
      object: {
        id: 'du_1',
        object: 'dispute',
        amount: 1250,
        currency: 'jpy',
        payment_intent: 'pi_1',
        charge: 'ch_1',
        reason: 'fraudulent',
        status,
      },
    },
  }) as unknown as Stripe.Event;

describe('Stripe dispute events', () => {
  it('map created, updated and closed with the PaymentIntent they wait for and the outcome', () => {
    const created = fromEvent(event('charge.dispute.created', 'needs_response'));
    expect(created).toMatchObject({
      type: 'dispute.created',
      paymentExternalId: 'pi_1',
      invoiceId: null,
      amountMinor: 1250,
      currency: 'JPY',
      dispute: { externalId: 'du_1', status: 'needs_response', reason: 'fraudulent', outcome: null },
    });
    expect(fromEvent(event('charge.dispute.updated', 'under_review')).type).toBe('dispute.updated');
    expect(fromEvent(event('charge.dispute.closed', 'lost')).dispute!.outcome).toBe('lost');
    expect(fromEvent(event('charge.dispute.closed', 'won')).dispute!.outcome).toBe('won');
    expect(fromEvent(event('charge.dispute.funds_withdrawn', 'needs_response')).type).toBe('ignored');
  });

  it('book balanced entries: opened cash → disputed_funds, won back to cash, lost to bad debt', () => {
    const facts = { externalId: 'du_1', invoiceNumber: 'INV-1', amountMinor: 500, currency: 'USD' };
    const accounts = (stage: 'opened' | 'won' | 'lost') => {
      const e = disputeEntry(stage, facts);
      if (!e.ok) throw new Error(e.reason);
      return e.value.lines.map((l) => [l.account, l.debitMinor, l.creditMinor]);
    };
    expect(accounts('opened')).toEqual([
      ['disputed_funds', 500, 0],
      ['cash', 0, 500],
    ]);
    expect(accounts('won')).toEqual([
      ['cash', 500, 0],
      ['disputed_funds', 0, 500],
    ]);
    expect(accounts('lost')).toEqual([
      ['bad_debt', 500, 0],
      ['disputed_funds', 0, 500],
    ]);
  });
});
