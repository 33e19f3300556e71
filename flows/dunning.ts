/**
 * Dunning after a failed automatic collection (src/domain/dunning.ts): one job per retry, each
 * run on its day after the due date (the org's schedule, default 1, 3, 5, 7). A retry charges the
 * stored method again under its own idempotency key (one per attempt, so a retried job never
 * charges twice) and writes a reminder to the notification outbox. After the last retry fails the
 * invoice is `overdue` and the org's final action runs: notify only; mark the contract at risk
 * and write the invoice's state to the CRM; or cancel the contract at the end of its period
 * (recorded on the contract for the billing run and a person to act on).
 * A paid or voided invoice stops the schedule: nothing is charged or sent.
 */
import {
  contractCollectionStatusStatement,
  dunningSettingsOf,
  notificationInsert,
  templateOf,
} from '../src/db/repos/dunning.js';
import { invoiceStatusStatement } from '../src/db/repos/invoice-writes.js';
import { creditedMinorOf } from '../src/db/repos/invoices-read.js';
import { addDays } from '../src/domain/dates.js';
import {
  type DunningSettings,
  isLastAttempt,
  type NotificationKind,
  renderTemplate,
  retryAt,
  type Template,
} from '../src/domain/dunning.js';
import { amountDueMinor, transition } from '../src/domain/invoice-lifecycle.js';
import { type Currency, minorToMajor } from '../src/domain/money.js';
import { ok } from '../src/domain/outcome.js';
import type { NewJob } from '../src/jobs/types.js';
import { crmWriteBackJobFor } from './crm-write-back.js';
import { defineFlow } from './define.js';
import { flowJob } from './jobs.js';
import { loadNumberedInvoice } from './load.js';
import type { Flow, StepOutcome } from './types.js';

export const DUNNING_RETRY = 'dunning-retry';

export interface DunningInput {
  invoiceId: string;
  /** 0-based: which of the org's retry days this job is. */
  attempt: number;
}

/** The job of retry `attempt`, to run on its day; one per (invoice, attempt), ever. */
export function dunningJob(
  args: {
    orgId: string;
    invoiceId: string;
    dueDate: string;
    attempt: number;
    correlationId: string;
    connectionKey: string;
  },
  settings: DunningSettings,
): NewJob {
  return {
    ...flowJob({
      orgId: args.orgId,
      flow: DUNNING_RETRY,
      subjectId: `${args.invoiceId}:${args.attempt}`,
      input: { invoiceId: args.invoiceId, attempt: args.attempt } satisfies DunningInput,
      correlationId: args.correlationId,
      connectionKey: args.connectionKey,
    }),
    runAt: retryAt(args.dueDate, settings, args.attempt),
  };
}

type Retried = { charged: boolean; status: string; externalId: string | null; dueMinor: number };

export const dunningRetry: Flow<DunningInput> = defineFlow<DunningInput>(
  DUNNING_RETRY,
  ({ adapters }) => adapters.payment.vendor,
)
  .step({
    name: 'retryCharge',
    storedAs: 'retry-charge',
    external: true,
    run: async (ctx): StepOutcome<Retried> => {
      const loaded = await loadNumberedInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice } = loaded.value;
      const credited = await creditedMinorOf(ctx.deps.db, ctx.orgId, [invoice.id]);
      const dueMinor = amountDueMinor({ ...invoice, creditedMinor: credited.get(invoice.id) ?? 0 });
      if (dueMinor === 0 || !['finalized', 'partially_paid'].includes(invoice.status)) {
        return ok({ output: { charged: false, status: `invoice is ${invoice.status}`, externalId: null, dueMinor } });
      }
      const { payment } = ctx.adapters;
      const customer = await payment.findCustomer(invoice.customerId);
      if (!customer.ok) return customer;
      if (!customer.value)
        return ok({ output: { charged: false, status: 'no payment customer', externalId: null, dueMinor } });
      const charged = await payment.createPayment(
        {
          invoiceId: invoice.id,
          invoiceNumber: invoice.number,
          customerExternalId: customer.value.externalId,
          amountMinor: dueMinor,
          currency: invoice.currency,
          description: `Invoice ${invoice.number} (retry ${ctx.input.attempt + 1})`,
        },
        // One key per attempt: this retry is a new charge, but only one, however often the job runs.
        { idempotencyKey: await ctx.key('payment_retry', invoice.id, ctx.input.attempt) },
      );
      if (!charged.ok) {
        // A declined or refused retry is an outcome of dunning, not a failure of the job.
        if (charged.kind === 'permanent') {
          return ok({ output: { charged: false, status: `refused: ${charged.reason}`, externalId: null, dueMinor } });
        }
        return charged;
      }
      return ok({
        output: { charged: true, status: charged.value.status, externalId: charged.value.externalId, dueMinor },
      });
    },
  })
  .step({
    name: 'followUp',
    storedAs: 'follow-up',
    external: false,
    run: async (ctx) => {
      const retried = ctx.outputs.retryCharge;
      if (retried.status.startsWith('invoice is') && !retried.charged) {
        return ok({ output: { next: 'stopped', reason: retried.status } });
      }
      // Settled now: the provider's webhook records the payment (record-payment); nothing more here.
      if (retried.status === 'succeeded') return ok({ output: { next: 'paid' } });
      const { db, clock } = ctx.deps;
      const loaded = await loadNumberedInvoice(db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice, customer } = loaded.value;
      const settings = await dunningSettingsOf(db, ctx.orgId);
      const now = clock.now().toISOString();
      const last = isLastAttempt(settings, ctx.input.attempt);
      const vars = {
        invoice_number: invoice.number,
        amount_due: `${invoice.currency} ${minorToMajor(retried.dueMinor, invoice.currency as Currency)}`,
        due_date: invoice.dueDate,
        attempt: String(ctx.input.attempt + 1),
        attempts: String(settings.retryDays.length),
        next_retry: last ? '—' : addDays(invoice.dueDate, settings.retryDays[ctx.input.attempt + 1]!),
        customer_name: customer.name,
      };
      // A drizzle statement is thenable: returned from an async function it would run at once, so
      // the template is read first and the statement built synchronously.
      const notify = (kind: NotificationKind, key: string, template: Template) => {
        const text = renderTemplate(template, vars);
        return notificationInsert(
          db,
          ctx.orgId,
          { kind, invoiceId: invoice.id, customerId: customer.id, recipient: customer.email, ...text, dedupeKey: key },
          now,
        );
      };
      if (!last) {
        return ok({
          output: { next: 'retry', attempt: ctx.input.attempt + 1 },
          effects: [
            notify(
              'reminder',
              `reminder:${invoice.id}:${ctx.input.attempt}`,
              await templateOf(db, ctx.orgId, 'reminder'),
            ),
          ],
          enqueue: [
            dunningJob(
              {
                orgId: ctx.orgId,
                invoiceId: invoice.id,
                dueDate: invoice.dueDate,
                attempt: ctx.input.attempt + 1,
                correlationId: ctx.correlationId,
                connectionKey: ctx.adapters.payment.vendor,
              },
              settings,
            ),
          ],
        });
      }
      const moved = transition(invoice.status, 'mark_overdue');
      const effects = [notify('overdue', `overdue:${invoice.id}`, await templateOf(db, ctx.orgId, 'overdue'))];
      const enqueue: NewJob[] = [];
      if (moved.ok) effects.push(invoiceStatusStatement(db, ctx.orgId, invoice.id, invoice.status, moved.next));
      const status = moved.ok ? moved.next : invoice.status;
      if (settings.finalAction === 'mark_at_risk') {
        effects.push(contractCollectionStatusStatement(db, ctx.orgId, invoice.contractId, 'at_risk', now));
        // The deal's CRM learns the invoice is overdue (crm-write-back.ts writes its status).
        enqueue.push(...(await crmWriteBackJobFor(db, ctx.orgId, { ...invoice, status })));
      } else if (settings.finalAction === 'cancel_at_period_end') {
        effects.push(contractCollectionStatusStatement(db, ctx.orgId, invoice.contractId, 'cancel_at_period_end', now));
      }
      return ok({ output: { next: 'overdue', action: settings.finalAction }, effects, enqueue });
    },
  })
  .build();
