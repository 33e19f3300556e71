import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DUNNING,
  DEFAULT_TEMPLATES,
  invalidRetryDays,
  isLastAttempt,
  renderTemplate,
  retryAt,
} from './dunning.js';

describe('dunning schedule', () => {
  it('retries on days 1, 3, 5 and 7 after the due date by default, the last one being day 7', () => {
    expect([0, 1, 2, 3].map((n) => retryAt('2026-02-27', DEFAULT_DUNNING, n).toISOString().slice(0, 10))).toEqual([
      '2026-02-28',
      '2026-03-02',
      '2026-03-04',
      '2026-03-06',
    ]);
    expect([0, 1, 2, 3].map((n) => isLastAttempt(DEFAULT_DUNNING, n))).toEqual([false, false, false, true]);
  });

  it.each([
    [[], 'between 1 and 10'],
    [[0, 2], 'from 1 to 365'],
    [[3, 3], 'strictly increasing'],
    [[1.5], 'whole day'],
  ])('refuses the schedule %j', (days, reason) => {
    expect(invalidRetryDays(days)).toContain(reason);
  });

  it('takes a valid schedule', () => {
    expect(invalidRetryDays([2, 10, 30])).toBeNull();
  });
});

describe('templates', () => {
  it('fills known placeholders and leaves unknown ones visible', () => {
    const out = renderTemplate(
      { subject: 'Invoice {{invoice_number}}', body: '{{amount_due}} {{nope}}' },
      { invoice_number: 'INV-7', amount_due: 'USD 12.50' },
    );
    expect(out).toEqual({ subject: 'Invoice INV-7', body: 'USD 12.50 {{nope}}' });
    expect(renderTemplate(DEFAULT_TEMPLATES.overdue, { invoice_number: 'INV-7' }).subject).toBe(
      'Invoice INV-7 is overdue',
    );
  });
});
