/** Reads of the billing objects the flows and the API need; every function is org-scoped. */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { contracts, customers, invoiceLines, invoices, payments, products } from '../schema.js';

const invoiceById = (db: Db) => ({
  invoice: db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, sql.placeholder('orgId')), eq(invoices.id, sql.placeholder('id'))))
    .prepare(),
  lines: db
    .select()
    .from(invoiceLines)
    .where(and(eq(invoiceLines.orgId, sql.placeholder('orgId')), eq(invoiceLines.invoiceId, sql.placeholder('id'))))
    .orderBy(asc(invoiceLines.lineNo))
    .prepare(),
});

export async function getInvoiceWithLines(db: Db, orgId: string, invoiceId: string) {
  const prepared = preparedOnce(db, 'invoiceWithLines', invoiceById);
  if (prepared) {
    const [invoice] = await prepared.invoice.all({ orgId, id: invoiceId });
    if (!invoice) return undefined;
    return { invoice, lines: await prepared.lines.all({ orgId, id: invoiceId }) };
  }
  const [invoice] = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), eq(invoices.id, invoiceId)));
  if (!invoice) return undefined;
  const lines = await db
    .select()
    .from(invoiceLines)
    .where(and(eq(invoiceLines.orgId, orgId), eq(invoiceLines.invoiceId, invoiceId)))
    .orderBy(asc(invoiceLines.lineNo));
  return { invoice, lines };
}

/** An invoice's state alone (the gates of the invoice flows ask it on every attempt). */
export async function invoiceState(db: Db, orgId: string, invoiceId: string) {
  const prepared = preparedOnce(db, 'invoiceState', (d) =>
    invoiceStateQuery(d, sql.placeholder('orgId'), sql.placeholder('invoiceId')).prepare(),
  );
  const [row] = prepared ? await prepared.all({ orgId, invoiceId }) : await invoiceStateQuery(db, orgId, invoiceId);
  return row;
}

type Bound = string | ReturnType<typeof sql.placeholder>;
function invoiceStateQuery(db: Db, orgId: Bound, invoiceId: Bound) {
  return db
    .select({ id: invoices.id, number: invoices.number, status: invoices.status })
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), eq(invoices.id, invoiceId)));
}

const customerById = (db: Db) =>
  db
    .select()
    .from(customers)
    .where(and(eq(customers.orgId, sql.placeholder('orgId')), eq(customers.id, sql.placeholder('id'))))
    .prepare();

export async function getCustomer(db: Db, orgId: string, customerId: string) {
  const prepared = preparedOnce(db, 'customerById', customerById);
  if (prepared) return (await prepared.all({ orgId, id: customerId }))[0];
  const [row] = await db
    .select()
    .from(customers)
    .where(and(eq(customers.orgId, orgId), eq(customers.id, customerId)));
  return row;
}

export async function getContract(db: Db, orgId: string, contractId: string) {
  const prepared = preparedOnce(db, 'getContract', (d) =>
    contractQuery(d, sql.placeholder('orgId'), sql.placeholder('id')).prepare(),
  );
  const [row] = prepared ? await prepared.all({ orgId, id: contractId }) : await contractQuery(db, orgId, contractId);
  return row;
}

function contractQuery(db: Db, orgId: Bound, contractId: Bound) {
  return db
    .select()
    .from(contracts)
    .where(and(eq(contracts.orgId, orgId), eq(contracts.id, contractId)));
}

export async function getPayment(db: Db, orgId: string, paymentId: string) {
  const prepared = preparedOnce(db, 'getPayment', (d) =>
    paymentQuery(d, sql.placeholder('orgId'), sql.placeholder('id')).prepare(),
  );
  const [row] = prepared ? await prepared.all({ orgId, id: paymentId }) : await paymentQuery(db, orgId, paymentId);
  return row;
}

function paymentQuery(db: Db, orgId: Bound, paymentId: Bound) {
  return db
    .select()
    .from(payments)
    .where(and(eq(payments.orgId, orgId), eq(payments.id, paymentId)));
}

export async function listContractsForDeal(db: Db, orgId: string, sourceSystem: string, dealId: string) {
  return db
    .select()
    .from(contracts)
    .where(
      and(eq(contracts.orgId, orgId), eq(contracts.sourceSystem, sourceSystem), eq(contracts.sourceDealId, dealId)),
    )
    .orderBy(asc(contracts.version));
}

export async function listInvoicesForContracts(db: Db, orgId: string, contractIds: string[]) {
  if (contractIds.length === 0) return [];
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), inArray(invoices.contractId, contractIds)))
    .orderBy(asc(invoices.periodStart));
}

export async function listInvoicesForCustomer(db: Db, orgId: string, customerId: string) {
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), eq(invoices.customerId, customerId)))
    .orderBy(asc(invoices.periodStart));
}

export async function listPaymentsForInvoices(db: Db, orgId: string, invoiceIds: string[]) {
  if (invoiceIds.length === 0) return [];
  return db
    .select()
    .from(payments)
    .where(and(eq(payments.orgId, orgId), inArray(payments.invoiceId, invoiceIds)));
}

/** The products an invoice's lines name, for ERP item posting. */
export async function productsByIds(db: Db, orgId: string, productIds: readonly string[]) {
  return db
    .select()
    .from(products)
    .where(and(eq(products.orgId, orgId), inArray(products.id, [...productIds])));
}
