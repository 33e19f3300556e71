/**
 * A tiny in-memory ERP, used only by the contract suites' own test: the smallest adapter that
 * honours the ErpPort contract, so the suite's shape can be read without any vendor's details.
 * It keeps its "vendor state" in maps, replays a seen idempotency key, and takes faults the
 * way the simulators' FaultPlan does (status faults before the write, a timeout after it).
 */
import Decimal from 'decimal.js';
import { indeterminate, ok, permanent, reconnectRequired, retryable } from '../../src/domain/outcome.js';
import type { ErpDocumentState, ErpJournalRequest, ErpPort, ExternalObject } from '../ports.js';
import type { Fault } from '../sandbox/faults.js';
import type { ErpObject } from './erp-port.contract.js';

/** Accounts of the in-memory ERP's chart (journal lines and refunds must name one). */
export const IN_MEMORY_ACCOUNTS = { receivable: '1100', revenue: '4000', bank: '1000', tax: '2200' } as const;
const CHART = new Set<string>(Object.values(IN_MEMORY_ACCOUNTS));
const HOME_CURRENCY = 'USD';

type InMemoryObject = ErpObject | 'refund' | 'journal_entry';

/** Why a journal cannot be posted (checked before the "call", as a real adapter must), or null. */
function journalProblem(r: ErpJournalRequest): string | null {
  let net = new Decimal(0);
  for (const line of r.lines) {
    if (!CHART.has(line.accountExternalId)) return `account ${line.accountExternalId} is unknown`;
    net = line.side === 'debit' ? net.add(line.amount) : net.sub(line.amount);
  }
  if (!net.isZero()) return `journal ${r.entryRef} is unbalanced by ${net}`;
  if (r.currency !== HOME_CURRENCY && !r.exchangeRate) return `journal in ${r.currency} needs an exchange rate`;
  return null;
}

export function createInMemoryErp() {
  /** Documents keep what readDocument answers: total and currency, and a payment's invoice. */
  type Stored = { key: string; externalId: string; total?: string; currency?: string; invoiceId?: string };
  const objects: Record<InMemoryObject, Map<string, Stored>> = {
    customer: new Map(),
    item: new Map(),
    invoice: new Map(),
    payment: new Map(),
    credit_memo: new Map(),
    refund: new Map(),
    journal_entry: new Map(),
  };
  const voided = new Set<string>();
  const replies = new Map<string, ExternalObject>();
  const faults: Fault[] = [];
  let revoked = false;
  let nextId = 1;

  /** The fault planned for this call, as a failure, or undefined to go ahead. */
  function planned(write: boolean) {
    if (revoked) return { failure: reconnectRequired('in-memory ERP: credentials revoked'), after: false };
    const fault = faults.shift();
    if (!fault) return undefined;
    if (fault.kind === 'timeout') {
      return { failure: write ? indeterminate('in-memory ERP: dropped') : retryable('dropped'), after: true };
    }
    const wait =
      fault.status === 429 && fault.retryAfterSeconds !== undefined ? fault.retryAfterSeconds * 1000 : undefined;
    return { failure: retryable(`in-memory ERP: ${fault.status}`, wait, fault.status), after: false };
  }

  function create(
    object: InMemoryObject,
    naturalKey: string,
    idempotencyKey: string,
    valid = true,
    doc: Omit<Stored, 'key' | 'externalId'> = {},
  ) {
    const fault = planned(true);
    if (fault && !fault.after) return fault.failure;
    if (!valid) return permanent(`in-memory ERP: ${object} refers to something unknown`, { status: 400 });
    let reply = replies.get(idempotencyKey);
    if (!reply) {
      reply = { externalId: String(nextId++) };
      objects[object].set(reply.externalId, { key: naturalKey, externalId: reply.externalId, ...doc });
      replies.set(idempotencyKey, reply);
    }
    return fault ? fault.failure : ok(reply);
  }

  function find(object: InMemoryObject, naturalKey: string) {
    const fault = planned(false);
    if (fault) return fault.failure;
    const hit = [...objects[object].values()].find((o) => o.key === naturalKey);
    return ok(hit ? { externalId: hit.externalId } : null);
  }

  /** A document's state: an invoice is paid once payments cover its total; a voided one is zeroed. */
  function readDocument(kind: ErpDocumentState['kind'], ourRef: string) {
    const fault = planned(false);
    if (fault) return fault.failure;
    const hit = [...objects[kind].values()].find((o) => o.key === ourRef);
    if (!hit) return ok(null);
    const total = new Decimal(hit.total ?? '0');
    let status: ErpDocumentState['status'] = kind === 'payment' ? 'applied' : 'open';
    if (kind === 'invoice') {
      if (voided.has(hit.externalId)) status = 'voided';
      else {
        const paid = [...objects.payment.values()]
          .filter((p) => p.invoiceId === hit.externalId)
          .reduce((sum, p) => sum.add(p.total ?? '0'), new Decimal(0));
        if (total.gt(0) && paid.gte(total)) status = 'paid';
      }
    }
    const state: ErpDocumentState = {
      externalId: hit.externalId,
      number: hit.key,
      kind,
      total: status === 'voided' ? '0' : total.toFixed(),
      currency: hit.currency ?? 'USD',
      status,
    };
    return ok(state);
  }

  const port: ErpPort = {
    vendor: 'quickbooks', // the port's vendor union has no slot for an example
    createCustomer: async (r, o) => create('customer', r.displayName, o.idempotencyKey),
    findCustomer: async (name) => find('customer', name),
    createItem: async (r, o) => create('item', r.sku, o.idempotencyKey),
    findItem: async (sku) => find('item', sku),
    createInvoice: async (r, o) =>
      create('invoice', r.invoiceNumber, o.idempotencyKey, objects.customer.has(r.customerExternalId), {
        total: r.total,
        currency: r.currency,
      }),
    findInvoice: async (number) => find('invoice', number),
    createPayment: async (r, o) =>
      create('payment', r.paymentRef, o.idempotencyKey, objects.invoice.has(r.invoiceExternalId), {
        total: r.amount,
        currency: r.currency,
        invoiceId: r.invoiceExternalId,
      }),
    findPayment: async (ref) => find('payment', ref),
    createCreditMemo: async (r, o) =>
      create('credit_memo', r.creditNoteNumber, o.idempotencyKey, objects.customer.has(r.customerExternalId), {
        total: r.total,
        currency: r.currency,
      }),
    findCreditMemo: async (number) => find('credit_memo', number),
    createRefund: async (r, o) =>
      create(
        'refund',
        r.refundRef,
        o.idempotencyKey,
        objects.customer.has(r.customerExternalId) && CHART.has(r.depositAccountId),
      ),
    findRefund: async (ref) => find('refund', ref),
    postJournalEntry: async (r, o) => {
      // Refused before any call, so no planned fault is spent on it.
      const problem = journalProblem(r);
      if (problem) return permanent(`in-memory ERP: ${problem}`, { field: 'lines' });
      return create('journal_entry', r.entryRef, o.idempotencyKey);
    },
    findJournalEntry: async (ref) => find('journal_entry', ref),
    voidInvoice: async (id) => {
      const fault = planned(true);
      if (fault && !fault.after) return fault.failure;
      if (!objects.invoice.has(id)) return permanent(`in-memory ERP: no invoice ${id}`, { status: 400 });
      voided.add(id);
      return fault ? fault.failure : ok({ externalId: id });
    },
    readDocument: async (kind, ourRef) => readDocument(kind, ourRef),
  };

  return {
    port,
    count: (object: InMemoryObject) => objects[object].size,
    isVoided: (invoiceId: string) => voided.has(invoiceId),
    inject: (fault: Fault, times = 1) => {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    revoke: () => {
      revoked = true;
    },
  };
}
