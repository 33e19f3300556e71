/**
 * The Accounting API paths the hub calls: GET a collection (with `where`) or one object by id,
 * PUT a collection to create (the body is {"<Collection>": [...]}, answered the same way), POST
 * /Invoices/{id} to void, PUT /CreditNotes/{id}/Allocations. Elements of a batch are created in
 * order; the first invalid one stops the batch with Xero's 400 (the hub sends one at a time).
 */
import type { Context, Hono } from 'hono';
import { createContact } from './contacts.js';
import { allocate, createCreditNote, createInvoice, updateInvoiceStatus } from './documents.js';
import { json, notFound, SimValidationError, validationResponse } from './errors.js';
import { createItem } from './items.js';
import { createManualJournal } from './journals.js';
import { createPayment } from './payments.js';
import type { TenantResolver } from './session.js';
import { COLLECTIONS, type Collection, type Json, type SimTenant } from './state.js';
import { matches, parseWhere } from './where.js';

const API = '/api.xro/2.0';

const CREATORS: Record<Collection, (tenant: SimTenant, input: Json, now: Date) => Json> = {
  Contacts: createContact,
  Items: createItem,
  Invoices: createInvoice,
  CreditNotes: createCreditNote,
  Payments: createPayment,
  ManualJournals: createManualJournal,
};

const collectionOf = (c: Context): Collection | undefined => {
  const name = c.req.param('collection');
  return (COLLECTIONS as readonly string[]).includes(name ?? '') ? (name as Collection) : undefined;
};

async function bodyOf(c: Context): Promise<Json | undefined> {
  try {
    const body: unknown = await c.req.json();
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : undefined;
  } catch {
    return undefined;
  }
}

function guarded(run: () => Response): Response {
  try {
    return run();
  } catch (error) {
    if (error instanceof SimValidationError) return validationResponse(error.messages);
    throw error;
  }
}

export function resourceRoutes(app: Hono, tenantOf: TenantResolver, now: () => Date): void {
  app.get(`${API}/:collection`, (c) => {
    const collection = collectionOf(c);
    if (!collection) return notFound(`Resource ${c.req.param('collection')}`);
    const where = c.req.query('where');
    const terms = where ? parseWhere(where) : [];
    if (!terms) return validationResponse([`The where filter ${where} could not be read`]);
    const found = [...tenantOf(c).objects[collection].values()].filter((o) => matches(o, terms));
    return json({ [collection]: found });
  });

  app.get(`${API}/:collection/:id`, (c) => {
    const collection = collectionOf(c);
    if (!collection) return notFound(`Resource ${c.req.param('collection')}`);
    const found = tenantOf(c).objects[collection].get(c.req.param('id'));
    return found ? json({ [collection]: [found] }) : notFound(`${collection} ${c.req.param('id')}`);
  });

  app.put(`${API}/:collection`, async (c) => {
    const collection = collectionOf(c);
    if (!collection) return notFound(`Resource ${c.req.param('collection')}`);
    const body = await bodyOf(c);
    const elements = body?.[collection];
    if (!Array.isArray(elements) || elements.length === 0) {
      return validationResponse([`The request body must hold a ${collection} array`]);
    }
    const tenant = tenantOf(c);
    return guarded(() => {
      const created = elements.map((element) => CREATORS[collection](tenant, (element ?? {}) as Json, now()));
      return json({ [collection]: created });
    });
  });

  app.post(`${API}/Invoices/:id`, async (c) => {
    const body = await bodyOf(c);
    const [change] = Array.isArray(body?.Invoices) ? (body.Invoices as Json[]) : [];
    const tenant = tenantOf(c);
    const id = c.req.param('id');
    if (!tenant.objects.Invoices.has(id)) return notFound(`Invoice ${id}`);
    return guarded(() => json({ Invoices: [updateInvoiceStatus(tenant, id, change ?? {}, now())] }));
  });

  app.put(`${API}/CreditNotes/:id/Allocations`, async (c) => {
    const body = await bodyOf(c);
    const tenant = tenantOf(c);
    const id = c.req.param('id');
    if (!tenant.objects.CreditNotes.has(id)) return notFound(`Credit note ${id}`);
    return guarded(() => json({ Allocations: allocate(tenant, id, body ?? {}, now()) }));
  });
}
