/**
 * Dunning: what happens after an automatic collection failed. The org sets the days after the due
 * date on which the charge is retried (default 1, 3, 5, 7); each retry is a job that also sends a
 * reminder. After the last retry fails the invoice is overdue and the org's final action runs:
 * notify only, mark the contract at risk (and tell the CRM), or cancel the contract at the end of
 * its current period. Pure: dates are parameters.
 */
import { addDays } from './dates.js';

export const DUNNING_ACTIONS = ['notify_only', 'mark_at_risk', 'cancel_at_period_end'] as const;
export type DunningAction = (typeof DUNNING_ACTIONS)[number];

export interface DunningSettings {
  /** Days after the due date, strictly increasing, 1 to 365, at most 10. */
  retryDays: number[];
  finalAction: DunningAction;
}

export const DEFAULT_DUNNING: DunningSettings = { retryDays: [1, 3, 5, 7], finalAction: 'notify_only' };

/** A readable reason the schedule is refused, or null when it is a valid one. */
export function invalidRetryDays(days: readonly number[]): string | null {
  if (days.length === 0 || days.length > 10) return 'between 1 and 10 retry days';
  for (let i = 0; i < days.length; i += 1) {
    const d = days[i]!;
    if (!Number.isInteger(d) || d < 1 || d > 365) return `retry day ${d} is not a whole day from 1 to 365`;
    if (i > 0 && d <= days[i - 1]!) return 'retry days must be strictly increasing';
  }
  return null;
}

/** When retry `attempt` (0-based) of an invoice due on `dueDate` runs: that day, 00:00 UTC. */
export function retryAt(dueDate: string, settings: DunningSettings, attempt: number): Date {
  return new Date(`${addDays(dueDate, settings.retryDays[attempt]!)}T00:00:00Z`);
}

export const isLastAttempt = (settings: DunningSettings, attempt: number) => attempt >= settings.retryDays.length - 1;

export const NOTIFICATION_KINDS = ['payment_failed', 'reminder', 'overdue', 'receipt'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Template {
  subject: string;
  body: string;
}

/** The hub's wording, used where the org has not written its own template for a kind. */
export const DEFAULT_TEMPLATES: Record<NotificationKind, Template> = {
  payment_failed: {
    subject: 'Payment for invoice {{invoice_number}} failed',
    body: 'We could not collect {{amount_due}} for invoice {{invoice_number}}, due {{due_date}}. We will try again on {{next_retry}}.',
  },
  reminder: {
    subject: 'Reminder: invoice {{invoice_number}} is past due',
    body: 'Invoice {{invoice_number}} for {{amount_due}} was due on {{due_date}}. Retry {{attempt}} of {{attempts}} did not go through; next try {{next_retry}}.',
  },
  overdue: {
    subject: 'Invoice {{invoice_number}} is overdue',
    body: 'Invoice {{invoice_number}} for {{amount_due}}, due {{due_date}}, is overdue after {{attempts}} attempts.',
  },
  receipt: {
    subject: 'Receipt for invoice {{invoice_number}}',
    body: 'We received {{amount_paid}} for invoice {{invoice_number}}. Thank you.',
  },
};

/** `{{name}}` placeholders filled from `vars`; an unknown name is left as written, so a typo shows. */
export function renderTemplate(template: Template, vars: Record<string, string>): Template {
  const fill = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => vars[name] ?? whole);
  return { subject: fill(template.subject), body: fill(template.body) };
}

/** What the dunning flow fills in (flows/dunning.ts) for the kinds it renders. */
const DUNNING_VARS = [
  'invoice_number',
  'amount_due',
  'due_date',
  'attempt',
  'attempts',
  'next_retry',
  'customer_name',
] as const;

/** The placeholders each kind's template may use: the names its renderer is given. */
export const TEMPLATE_PLACEHOLDERS: Record<NotificationKind, readonly string[]> = {
  payment_failed: DUNNING_VARS,
  reminder: DUNNING_VARS,
  overdue: DUNNING_VARS,
  receipt: ['invoice_number', 'amount_paid', 'customer_name'],
};

/** The `{{name}}` placeholders of `text` its kind does not supply, in order, once each. */
export function unknownPlaceholders(kind: NotificationKind, text: string): string[] {
  const known = new Set(TEMPLATE_PLACEHOLDERS[kind]);
  const names = [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !known.has(n)))];
}
