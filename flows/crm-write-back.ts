/**
 * Writes the deal's billing state back to the CRM it came from (Salesforce Opportunity, HubSpot
 * deal): billing status, contract id and link, last invoice number, amount paid and outstanding
 * balance; then, in a second step, the customer's totals across all its deals to the deal's
 * account (Salesforce Account, HubSpot company). A job like any other (retried, dead-lettered, replayable), enqueued after an invoice is
 * finalized and after a payment is recorded.
 *
 * The values are read when the job runs, not when it was enqueued, so a late or replayed job
 * writes the current state. The write sets absolute values: repeating it changes nothing, so it
 * needs no idempotency key and no lookup before a retry.
 */

import type { CrmPort } from '../adapters/ports.js';
import {
  getContract,
  getCustomer,
  listContractsForDeal,
  listInvoicesForContracts,
  listInvoicesForCustomer,
} from '../src/db/repos/billing.js';
import { creditedMinorOf } from '../src/db/repos/invoices-read.js';
import { amountDueMinor } from '../src/domain/invoice-lifecycle.js';
import { minorToMajor } from '../src/domain/money.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import { isCrmVendor } from '../src/domain/vendors.js';
import { defineFlow } from './define.js';
import { dealCorrelationId, flowJob } from './jobs.js';
import type { CrmSystem, CrmWriteBackConfig, Flow, StepOutcome } from './types.js';

export const CRM_WRITE_BACK = 'crm-write-back';

export interface CrmWriteBackInput {
  system: CrmSystem;
  dealId: string;
  /** The invoice whose change triggered this write-back, and its state then (for the dedupe key). */
  invoiceId: string;
  status: string;
  amountPaidMinor: number;
}

/** What is written, by logical name; the CRM field each goes to is configurable. */
export const WRITE_BACK_KEYS = [
  'status',
  'contractId',
  'contractUrl',
  'lastInvoiceNumber',
  'amountPaid',
  'outstanding',
] as const;
export type WriteBackKey = (typeof WRITE_BACK_KEYS)[number];

/** Default field names: custom fields (`__c`) on the Opportunity, custom properties on the deal. */
export const DEFAULT_WRITE_BACK_FIELDS: Record<CrmSystem, Record<WriteBackKey, string>> = {
  salesforce: {
    status: 'Hub_Billing_Status__c',
    contractId: 'Hub_Contract_Id__c',
    contractUrl: 'Hub_Contract_Url__c',
    lastInvoiceNumber: 'Hub_Last_Invoice__c',
    amountPaid: 'Hub_Amount_Paid__c',
    outstanding: 'Hub_Outstanding__c',
  },
  hubspot: {
    status: 'hub_billing_status',
    contractId: 'hub_contract_id',
    contractUrl: 'hub_contract_url',
    lastInvoiceNumber: 'hub_last_invoice',
    amountPaid: 'hub_amount_paid',
    outstanding: 'hub_outstanding',
  },
};

/**
 * The field names for a connection: the defaults, overridden key by key by the connection's
 * `writeBackFields` JSON. An override of "" leaves that value out of the write-back.
 */
export function writeBackFields(
  system: CrmSystem,
  config: CrmWriteBackConfig = {},
): Outcome<Record<WriteBackKey, string>> {
  return fieldNames(system, 'writeBackFields', config.writeBackFields, WRITE_BACK_KEYS, DEFAULT_WRITE_BACK_FIELDS);
}

/** What is written to the deal's account (Salesforce Account, HubSpot company): the customer's totals. */
export const ACCOUNT_WRITE_BACK_KEYS = ['amountPaid', 'outstanding'] as const;
export type AccountWriteBackKey = (typeof ACCOUNT_WRITE_BACK_KEYS)[number];

export const DEFAULT_ACCOUNT_WRITE_BACK_FIELDS: Record<CrmSystem, Record<AccountWriteBackKey, string>> = {
  salesforce: { amountPaid: 'Hub_Amount_Paid__c', outstanding: 'Hub_Outstanding__c' },
  hubspot: { amountPaid: 'hub_amount_paid', outstanding: 'hub_outstanding' },
};

/** The account field names: the defaults overridden by `writeBackAccountFields` JSON ("" skips one). */
export function writeBackAccountFields(
  system: CrmSystem,
  config: CrmWriteBackConfig = {},
): Outcome<Record<AccountWriteBackKey, string>> {
  return fieldNames(
    system,
    'writeBackAccountFields',
    config.writeBackAccountFields,
    ACCOUNT_WRITE_BACK_KEYS,
    DEFAULT_ACCOUNT_WRITE_BACK_FIELDS,
  );
}

function fieldNames<K extends string>(
  system: CrmSystem,
  setting: string,
  json: string | undefined,
  keys: readonly K[],
  defaults: Record<CrmSystem, Record<K, string>>,
): Outcome<Record<K, string>> {
  const fields = { ...defaults[system] };
  if (!json) return ok(fields);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return permanent(`${system} connection config ${setting} is not valid JSON`, { field: setting });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return permanent(`${system} connection config ${setting} must be a JSON object`, { field: setting });
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!(keys as readonly string[]).includes(key)) {
      return permanent(
        `${system} connection config ${setting} has unknown key "${key}" (expected ${keys.join(', ')})`,
        { field: `${setting}.${key}` },
      );
    }
    if (typeof value !== 'string') {
      return permanent(`${system} connection config ${setting}.${key} must be a field name (string)`, {
        field: `${setting}.${key}`,
      });
    }
    fields[key as K] = value;
  }
  return ok(fields);
}

/** The deal's trace in the hub: `${publicUrl}/api/v1/deals/...`, or a relative path without one. */
export function contractUrl(system: CrmSystem, dealId: string, publicUrl?: string): string {
  const path = `/api/v1/deals/${system}/${encodeURIComponent(dealId)}/trace`;
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}${path}` : path;
}

/** The job that writes one state of a deal's billing back; its dedupe key changes with that state. */
export function crmWriteBackJob(args: {
  orgId: string;
  contract: { sourceSystem: string; sourceDealId: string };
  invoice: { id: string; status: string; amountPaidMinor: number };
}) {
  const system = args.contract.sourceSystem as CrmSystem;
  const dealId = args.contract.sourceDealId;
  const input: CrmWriteBackInput = {
    system,
    dealId,
    invoiceId: args.invoice.id,
    status: args.invoice.status,
    amountPaidMinor: args.invoice.amountPaidMinor,
  };
  return flowJob({
    orgId: args.orgId,
    flow: CRM_WRITE_BACK,
    // dedupe key crm-write-back:<system>:<dealId>:<invoiceId>:<status>:<paid>: each state once.
    subjectId: `${system}:${dealId}:${input.invoiceId}:${input.status}:${input.amountPaidMinor}`,
    input,
    correlationId: dealCorrelationId(system, dealId),
    connectionKey: system,
  });
}

/** The write-back job for an invoice's new state, or none when its contract has no CRM deal. */
export async function crmWriteBackJobFor(
  db: Parameters<typeof getContract>[0],
  orgId: string,
  invoice: { id: string; contractId: string; status: string; amountPaidMinor: number },
) {
  const contract = await getContract(db, orgId, invoice.contractId);
  if (!contract || !isCrmVendor(contract.sourceSystem)) return [];
  return [crmWriteBackJob({ orgId, contract, invoice })];
}

type WrittenFields = Record<string, string | number | null>;

type InvoiceRow = Awaited<ReturnType<typeof listInvoicesForContracts>>[number];

/** Issued invoices the customer owes on (credit notes are owed by us: they lower what is outstanding instead). */
const isOwedInvoice = (i: InvoiceRow) => i.kind !== 'credit_note' && (i.status === 'finalized' || i.status === 'paid');

/** What is still due on these invoices: totals less payments, credit notes that reduce them, and customer credit spent. */
async function outstandingOf(db: Parameters<typeof getContract>[0], orgId: string, issued: readonly InvoiceRow[]) {
  const credited = await creditedMinorOf(
    db,
    orgId,
    issued.map((i) => i.id),
  );
  return issued.reduce((sum, i) => sum + amountDueMinor({ ...i, creditedMinor: credited.get(i.id) ?? 0 }), 0);
}

/** An amount in major units as the CRM's amount fields take it. */
function crmAmount(crm: CrmPort, minor: number, currency: string): string | number {
  const major = minorToMajor(minor, currency);
  return crm.amountsAs === 'number' ? Number(major) : major;
}
/** The deal's write-back: the fields written, or why nothing was. */
export type WriteBackOutput = { fields: WrittenFields } | { skipped: string };
/** The account's write-back: the account and fields written, or why nothing was. */
export type WriteBackAccountOutput = { accountId: string; fields: WrittenFields } | { skipped: string };

export const crmWriteBack: Flow<CrmWriteBackInput> = defineFlow<CrmWriteBackInput>(
  CRM_WRITE_BACK,
  ({ input }) => input.system,
)
  .step({
    name: 'writeBackDeal',
    storedAs: 'write-back',
    external: true,
    run: async (ctx): StepOutcome<WriteBackOutput> => {
      const { system, dealId } = ctx.input;
      const crm = ctx.adapters.crm[system];
      if (!crm) return permanent(`no ${system} connection for this org`);
      const names = writeBackFields(system, ctx.adapters.settings.crmWriteBack[system]);
      if (!names.ok) return names;

      const { db } = ctx.deps;
      const contracts = await listContractsForDeal(db, ctx.orgId, system, dealId);
      const contract = contracts.at(-1);
      if (!contract) return permanent(`no contract for ${system} deal ${dealId}`);
      // Drafts are not issued yet and void invoices are owed by no one: neither counts.
      const issued = (
        await listInvoicesForContracts(
          db,
          ctx.orgId,
          contracts.map((c) => c.id),
        )
      ).filter(isOwedInvoice);
      const currencies = new Set([contract.currency, ...issued.map((i) => i.currency)]);
      if (currencies.size > 1) {
        return permanent(`${system} deal ${dealId} is invoiced in several currencies (${[...currencies].join(', ')})`);
      }
      // A later change to the triggering invoice enqueued its own write-back (in the same commit
      // as the change), which writes the newer state: this one steps aside rather than write an
      // older state after it. (A write-back that read before that change and writes after the
      // newer one can still land last; the next state change corrects it.)
      const trigger = issued.find((i) => i.id === ctx.input.invoiceId);
      if (trigger && (trigger.status !== ctx.input.status || trigger.amountPaidMinor !== ctx.input.amountPaidMinor)) {
        return ok({
          output: { skipped: `superseded: invoice is now ${trigger.status}, ${trigger.amountPaidMinor} paid` },
        });
      }
      const latest = issued.at(-1);
      const paidMinor = issued.reduce((sum, i) => sum + i.amountPaidMinor, 0);
      const outstandingMinor = await outstandingOf(db, ctx.orgId, issued);
      // Amounts in major units, in the form the CRM's amount fields take (CrmPort.amountsAs).
      const amount = (minor: number) => crmAmount(crm, minor, contract.currency);
      const values: Record<WriteBackKey, string | number | null> = {
        status: latest?.status ?? 'contract_created',
        contractId: contract.id,
        contractUrl: contractUrl(system, dealId, ctx.adapters.settings.crmWriteBack[system]?.publicUrl),
        lastInvoiceNumber: latest?.number ?? null,
        amountPaid: amount(paidMinor),
        outstanding: amount(outstandingMinor),
      };
      const fields: Record<string, string | number | null> = {};
      for (const key of WRITE_BACK_KEYS) if (names.value[key] !== '') fields[names.value[key]] = values[key];

      const written = await crm.writeBack(dealId, fields);
      if (!written.ok) return written;
      return ok({ output: { fields } });
    },
  })
  .step({
    // A step of its own: once the deal is written, a failing account write retries alone
    // (the runner skips finished steps) and the failure names the account, not the deal.
    name: 'writeBackAccount',
    storedAs: 'write-back-account',
    external: true,
    run: async (ctx): StepOutcome<WriteBackAccountOutput> => {
      const { system, dealId } = ctx.input;
      const crm = ctx.adapters.crm[system];
      if (!crm) return permanent(`no ${system} connection for this org`);
      const names = writeBackAccountFields(system, ctx.adapters.settings.crmWriteBack[system]);
      if (!names.ok) return names;
      if (ACCOUNT_WRITE_BACK_KEYS.every((k) => names.value[k] === '')) {
        return ok({ output: { skipped: 'no account fields configured' } });
      }

      const { db } = ctx.deps;
      const contract = (await listContractsForDeal(db, ctx.orgId, system, dealId)).at(-1);
      if (!contract) return permanent(`no contract for ${system} deal ${dealId}`);
      const customer = await getCustomer(db, ctx.orgId, contract.customerId);
      // The customer's source id is the deal's account (company) id, from this same CRM.
      if (!customer || customer.sourceSystem !== system || !customer.sourceId) {
        return ok({ output: { skipped: 'the deal has no account in this CRM' } });
      }
      // The customer's totals over all its issued invoices (every deal, every contract).
      const issued = (await listInvoicesForCustomer(db, ctx.orgId, customer.id)).filter(isOwedInvoice);
      const currencies = new Set([customer.currency, ...issued.map((i) => i.currency)]);
      if (currencies.size > 1) {
        return permanent(
          `${system} account ${customer.sourceId} is invoiced in several currencies (${[...currencies].join(', ')})`,
        );
      }
      const amount = (minor: number) => crmAmount(crm, minor, customer.currency);
      const values: Record<AccountWriteBackKey, string | number> = {
        amountPaid: amount(issued.reduce((sum, i) => sum + i.amountPaidMinor, 0)),
        outstanding: amount(await outstandingOf(db, ctx.orgId, issued)),
      };
      const fields: Record<string, string | number | null> = {};
      for (const key of ACCOUNT_WRITE_BACK_KEYS) if (names.value[key] !== '') fields[names.value[key]] = values[key];

      const written = await crm.writeBackAccount(customer.sourceId, fields);
      if (!written.ok) return written;
      return ok({ output: { accountId: customer.sourceId, fields } });
    },
  })
  .build();
