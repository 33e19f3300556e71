/**
 * The entity endpoints: read one by Id, create one (Customer, Item, Invoice, Payment, CreditMemo,
 * RefundReceipt, JournalEntry),
 * and the invoice void operation; each
 * validated by its own rules file and answered like QuickBooks does; a create with a requestid
 * QuickBooks has seen replays the original answer, whatever the body.
 *   REST conventions: https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 *   requestid:        https://blogs.intuit.com/2015/04/06/15346/
 */
import type { Hono } from 'hono';
import { createCreditMemo } from './credit-memos.js';
import { createCustomer } from './customers.js';
import { answer, faultBody, validation } from './errors.js';
import { createInvoice } from './invoices.js';
import { createItem } from './items.js';
import { createJournalEntry } from './journal-entries.js';
import { createPayment } from './payments.js';
import { createRefundReceipt } from './refund-receipts.js';
import { ENTITY_BY_PATH, type Json, type QuickBooksSimulatorState, type Realm, type SimEntity } from './state.js';
import { Rejection } from './validation.js';
import { voidInvoice } from './void.js';

interface SimResult {
  status: number;
  body: Json;
}

const CREATORS: Record<SimEntity, (realm: Realm, body: Json, now: Date) => Json> = {
  Customer: createCustomer,
  Item: createItem,
  Invoice: createInvoice,
  Payment: createPayment,
  CreditMemo: createCreditMemo,
  RefundReceipt: createRefundReceipt,
  JournalEntry: createJournalEntry,
};

/** Operations other than create (POST ?operation=…): the invoice void. */
const OPERATIONS: Partial<Record<string, (realm: Realm, body: Json, now: Date) => Json>> = {
  'Invoice:void': voidInvoice,
};

/** Validates and stores one entity; answers like QuickBooks does (200 with the entity, or 400 Fault). */
export function createEntity(realm: Realm, entity: SimEntity, body: Json, now: Date, operation?: string): SimResult {
  const time = now.toISOString();
  try {
    const run = operation ? OPERATIONS[`${entity}:${operation}`] : CREATORS[entity];
    if (!run) throw new Rejection('2010', 'Unsupported Operation', `Operation ${operation} is not supported`);
    const created = run(realm, body, now);
    realm.entities[entity].set(created.Id as string, created);
    return { status: 200, body: { [entity]: structuredClone(created), time } };
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    const fault = { Message: error.message, Detail: error.detail, code: error.code, element: error.element };
    return { status: 400, body: faultBody('ValidationFault', [fault], time) };
  }
}

export function entityRoutes(app: Hono, state: QuickBooksSimulatorState, now: () => Date): void {
  app.get('/v3/company/:realmId/:entity/:id', (c) => {
    const entity = ENTITY_BY_PATH[c.req.param('entity').toLowerCase()];
    const found = entity && state.get(c.req.param('realmId'), entity, c.req.param('id'));
    if (!entity || !found) {
      return validation(
        c,
        now,
        400,
        '610',
        'Object Not Found',
        'Object Not Found : Something you are trying to use was not found',
      );
    }
    return c.json({ [entity]: found, time: now().toISOString() });
  });

  app.post('/v3/company/:realmId/:entity', async (c) => {
    const realm = state.realm(c.req.param('realmId'));
    const entity = ENTITY_BY_PATH[c.req.param('entity').toLowerCase()];
    if (!entity)
      return validation(c, now, 400, '2010', 'Unsupported Operation', `Unsupported entity ${c.req.param('entity')}`);
    // QuickBooks replays the original response for a requestid it has seen, whatever the body.
    const requestId = c.req.query('requestid');
    const replay = requestId ? realm.requests.lookup(requestId, '*') : undefined;
    if (replay && replay !== 'conflict') return answer(c, replay.status, replay.body as Json);
    let body: Json;
    try {
      body = await c.req.json();
    } catch {
      return validation(c, now, 400, '2010', 'Request has invalid or unsupported property', 'Body is not valid JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return validation(c, now, 400, '2010', 'Request has invalid or unsupported property', 'Body must be an object');
    }
    const result = createEntity(realm, entity, body, now(), c.req.query('operation'));
    if (requestId) realm.requests.remember(requestId, '*', result);
    return answer(c, result.status, result.body);
  });
}
