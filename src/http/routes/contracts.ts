/**
 * /api/v1/contracts: contracts written from ContractTerms, their immutable versions, amendments
 * (with the credit note and prorated charge for time already billed in advance) and an invoice
 * preview. Each write is one atomic() unit: a bad request or a lost race changes nothing.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { issueCreditNoteJob } from '../../../flows/issue-credit-note.js';
import { dealCorrelationId } from '../../../flows/jobs.js';
import { atomic } from '../../db/atomic.js';
import { newId } from '../../db/client.js';
import { prepareAmendment, replayAmendment } from '../../db/repos/amendments.js';
import {
  API_MAPPING_VERSION,
  type ContractRow,
  contractChain,
  contractInsert,
  contractVersionId,
  customerExists,
  findContract,
  type InvoiceLineRow,
  type InvoiceRow,
  invoicesWithLines,
  summaryColumns,
} from '../../db/repos/contracts.js';
import { type ContractTerms, contractTermsSchema } from '../../domain/contracts/terms.js';
import { isInstant } from '../../domain/proration.js';
import { isCrmVendor } from '../../domain/vendors.js';
import { enqueueStatement } from '../../jobs/queue.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { isoDateInput as isoDateSchema } from '../input.js';
import { type FieldProblem, invalidRequest, problem, zodFieldProblems, zodProblemHook } from '../problem.js';
import { diffTerms, type Issues, previewInvoices, storedTerms } from './contracts-plan.js';
import { problemContent } from './schemas.js';

const isoDate = isoDateSchema;
const termsInput = z
  .record(z.string(), z.unknown())
  .openapi({ description: 'ContractTerms (src/domain/contracts/terms.ts); every issue is named terms.<path>' });

const createBody = z
  .object({
    customer_id: z.string().min(1, 'must not be empty').openapi({ description: 'A hub customer of this org' }),
    status: z.enum(['draft', 'active']),
    terms: termsInput,
    source: z
      .object({ system: z.string().min(1).max(50), deal_id: z.string().min(1).max(255) })
      .strict()
      .optional()
      .openapi({ description: "Where the contract comes from; default system 'api' and a new deal id" }),
  })
  .strict();

/** A date, or (for terms that prorate by the second, Stripe's way) an instant to the second in UTC. */
const effectiveInput = z
  .string()
  .refine(
    (v) => isoDate.safeParse(v).success || isInstant(v),
    'must be a date YYYY-MM-DD, or an instant YYYY-MM-DDTHH:MM:SSZ when the terms prorate by_second',
  )
  .openapi({ example: '2026-03-15' });

const amendBody = z.object({ effective_date: effectiveInput, terms: termsInput }).strict();

const contractSchema = z
  .object({
    id: z.string(),
    customer_id: z.string(),
    source: z.object({ system: z.string(), deal_id: z.string() }),
    version: z.number().int(),
    status: z.enum(['draft', 'active', 'superseded', 'cancelled']),
    effective_date: z.string().nullable(),
    currency: z.string(),
    start_date: z.string(),
    terms: z.unknown(),
    created_at: z.string(),
  })
  .openapi('Contract');

const invoiceSchema = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    contract_id: z.string(),
    kind: z.string(),
    period_start: z.string(),
    period_end: z.string(),
    status: z.string(),
    currency: z.string(),
    total_minor: z.number().int(),
    issue_date: z.string(),
    due_date: z.string(),
    lines: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('StoredInvoice');

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const jsonBody = <T extends z.ZodType>(schema: T) => ({ ...json(schema), required: true });

const createRouteDef = createRoute({
  method: 'post',
  path: '/contracts',
  summary: 'Create a contract (version 1) from ContractTerms',
  request: { body: jsonBody(createBody) },
  responses: {
    201: { description: 'Created', ...json(contractSchema) },
    200: {
      description: 'The same request was already applied (same source, customer, status and terms)',
      ...json(contractSchema),
    },
    400: { description: 'Bad terms or unknown customer; errors name the field', content: problemContent },
    409: { description: 'This source deal already has a different contract', content: problemContent },
  },
});

const getRouteDef = createRoute({
  method: 'get',
  path: '/contracts/{id}',
  summary: 'A contract version with every version of its contract, newest first',
  request: { params: idParam },
  responses: {
    200: { description: 'The contract', ...json(contractSchema.extend({ versions: z.array(contractSchema) })) },
    404: { description: 'No such contract in this org', content: problemContent },
  },
});

const amendmentResult = z
  .object({
    contract: contractSchema,
    invoices: z.array(invoiceSchema),
    diff: z.object({
      added: z.array(z.string()),
      removed: z.array(z.string()),
      changed: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })),
      terms_fields: z.array(z.string()),
    }),
  })
  .openapi('Amendment');

const amendRouteDef = createRoute({
  method: 'post',
  path: '/contracts/{id}/amendments',
  summary: 'Amend a contract: a new immutable version, with a credit note and a prorated charge for billed time',
  request: { params: idParam, body: jsonBody(amendBody) },
  responses: {
    201: { description: 'The new version and the invoices it created', ...json(amendmentResult) },
    200: { description: 'The same amendment was already applied; nothing new was written', ...json(amendmentResult) },
    400: { description: 'Bad effective date or terms; errors name the field', content: problemContent },
    404: { description: 'No such contract in this org', content: problemContent },
    409: { description: 'The contract cannot be amended, or another amendment won the race', content: problemContent },
    422: { description: 'The amendment cannot be invoiced as given', content: problemContent },
  },
});

const previewRouteDef = createRoute({
  method: 'get',
  path: '/contracts/{id}/invoice-preview',
  summary: 'What the contract would invoice for the periods containing a date (drafts too); nothing is stored',
  request: { params: idParam, query: z.object({ at: isoDate.openapi({ example: '2026-03-15' }) }).strict() },
  responses: {
    200: {
      description: 'One computed invoice per period (and kind) containing `at`',
      ...json(
        z.object({
          contract_id: z.string(),
          version: z.number().int(),
          at: z.string(),
          invoices: z.array(z.unknown()).openapi({ description: 'InvoiceComputation of the billing domain' }),
        }),
      ),
    },
    400: { description: 'Missing or bad `at`', content: problemContent },
    404: { description: 'No such contract in this org', content: problemContent },
    409: { description: 'The contract has no terms', content: problemContent },
    422: { description: 'The terms cannot be invoiced (e.g. an unknown metric)', content: problemContent },
  },
});

function toContractBody(row: ContractRow) {
  return {
    id: row.id,
    customer_id: row.customerId,
    source: { system: row.sourceSystem, deal_id: row.sourceDealId },
    version: row.version,
    status: row.status,
    effective_date: row.effectiveDate,
    currency: row.currency,
    start_date: row.startDate,
    terms: row.terms ? JSON.parse(row.terms) : null,
    created_at: row.createdAt,
  };
}

function toInvoiceBody({ invoice, lines }: { invoice: InvoiceRow; lines: InvoiceLineRow[] }) {
  return {
    id: invoice.id,
    number: invoice.number,
    contract_id: invoice.contractId,
    kind: invoice.kind,
    period_start: invoice.periodStart,
    period_end: invoice.periodEnd,
    status: invoice.status,
    currency: invoice.currency,
    total_minor: invoice.totalMinor,
    issue_date: invoice.issueDate,
    due_date: invoice.dueDate,
    lines: lines.map((l) => ({
      line_no: l.lineNo,
      line_kind: l.lineKind,
      source_ref: l.sourceRef,
      description: l.description,
      quantity: l.quantity,
      unit_amount: l.unitAmount,
      amount_minor: l.amountMinor,
      detail: l.detail ? JSON.parse(l.detail) : null,
    })),
  };
}

/** Validates terms; issues are named as the client sent them ("terms.phases.0.items.1.prices.0.price.unit_amount"). */
function parseTerms(input: unknown): { terms: ContractTerms; errors: [] } | { terms: null; errors: FieldProblem[] } {
  const parsed = contractTermsSchema.safeParse(input);
  if (parsed.success) return { terms: parsed.data, errors: [] };
  return {
    terms: null,
    errors: zodFieldProblems(parsed.error.issues, { prefix: 'terms' }),
  };
}

/** A unique key rejected the write (both drivers say so in the message, possibly on a wrapped cause). */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    if (/UNIQUE constraint failed|PRIMARY KEY/i.test(e.message)) return true;
  }
  return false;
}

const issuesProblem = (c: Context, issues: Issues) =>
  issues.status === 400
    ? invalidRequest(c, issues.errors)
    : problem(c, 422, 'Unprocessable', issues.errors.map((e) => `${e.field}: ${e.message}`).join('; '), issues.errors);

const notFound = (c: Context, id: string) => problem(c, 404, 'Not found', `no contract ${id} in this org`);

/** The trace an amendment's jobs show in: its deal's, or the contract's own when no CRM deal made it. */
const amendmentCorrelation = (contract: ContractRow) =>
  isCrmVendor(contract.sourceSystem)
    ? dealCorrelationId(contract.sourceSystem, contract.sourceDealId)
    : `contract:${contract.id}`;

export function contractRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  const { db, clock } = hub;

  app.on('POST', '/contracts', requireRole('admin', 'finance'));
  app.on('POST', '/contracts/:id/amendments', requireRole('admin', 'finance'));

  // problem() builds the documented problem+json body; the typed-response helper cannot express it.
  app.openapi(createRouteDef, async (c) => {
    const body = c.req.valid('json');
    const orgId = c.get('orgId');
    const { terms, errors } = parseTerms(body.terms);
    const problems: FieldProblem[] = [...errors];
    if (!(await customerExists(db, orgId, body.customer_id))) {
      problems.unshift({ field: 'customer_id', message: `no customer ${body.customer_id} in this org` });
    }
    if (!terms || problems.length > 0) return invalidRequest(c, problems) as never;

    const system = body.source?.system ?? 'api';
    const dealId = body.source?.deal_id ?? newId('deal');
    const row: ContractRow = {
      id: await contractVersionId(orgId, system, dealId, 1),
      orgId,
      customerId: body.customer_id,
      sourceSystem: system,
      sourceDealId: dealId,
      version: 1,
      status: body.status,
      ...summaryColumns(terms),
      mappingVersion: API_MAPPING_VERSION,
      terms: JSON.stringify(terms),
      effectiveDate: terms.startDate,
      renewalOfContractId: null,
      collectionStatus: null,
      collectionStatusAt: null,
      createdAt: clock.now().toISOString(),
    };
    try {
      await atomic(db, [contractInsert(db, row)]);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await findContract(db, orgId, row.id);
      const sameRequest =
        existing?.customerId === row.customerId && existing.status === row.status && existing.terms === row.terms;
      if (existing && sameRequest) return c.json(toContractBody(existing), 200);
      return problem(c, 409, 'Conflict', `${system} deal ${dealId} already has a contract`, [
        { field: 'source.deal_id', message: 'already has a contract' },
      ]) as never;
    }
    return c.json(toContractBody(row), 201);
  });

  app.openapi(getRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    const chain = await contractChain(db, c.get('orgId'), id);
    const row = chain.find((r) => r.id === id);
    if (!row) return notFound(c, id) as never;
    return c.json({ ...toContractBody(row), versions: chain.map(toContractBody) }, 200);
  });

  app.openapi(amendRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const orgId = c.get('orgId');
    const chain = await contractChain(db, orgId, id);
    if (!chain[0]) return notFound(c, id) as never;
    const { terms: next, errors } = parseTerms(body.terms);
    if (!next) return invalidRequest(c, errors) as never;

    // The shared amendment (src/db/repos/amendments.ts): a retried request finds its own
    // amendment as the latest version and writes nothing.
    const prepared = await prepareAmendment(db, orgId, {
      chain,
      next,
      effectiveDate: body.effective_date,
      mappingVersion: API_MAPPING_VERSION,
      now: clock.now().toISOString(),
    });
    if (prepared.kind === 'conflict') return problem(c, 409, 'Conflict', prepared.detail) as never;
    if (prepared.kind === 'invalid') return issuesProblem(c, prepared.issues) as never;
    const issue = await issueJobs(orgId, chain[0], prepared.creditNoteIds);
    if (prepared.kind === 'replay') {
      // A retried request also (re)starts the notes' issue, e.g. once the org's connections exist.
      if (issue.length > 0) {
        await atomic(
          db,
          issue.map((j) => j.statement),
        );
        await hub.driver.notify(issue.map((j) => j.id));
      }
      return c.json(await amendmentBody(prepared, next), 200);
    }
    try {
      await atomic(db, [...prepared.statements, ...issue.map((j) => j.statement)]);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another request wrote version n+1 first: if it was this same amendment, answer with it.
      const raced = await contractChain(db, orgId, id);
      const again = await replayAmendment(db, orgId, raced, body.effective_date, next);
      if (again?.ok) return c.json(await amendmentBody(again, next), 200);
      return problem(c, 409, 'Conflict', `contract ${chain[0].id} was amended meanwhile; read it and retry`) as never;
    }
    if (issue.length > 0) await hub.driver.notify(issue.map((j) => j.id));
    return c.json(await amendmentBody({ latest: prepared.row, ...prepared }, next), 201);
  });

  /**
   * The jobs that issue an amendment's credit notes downstream (flows/issue-credit-note.ts). An org
   * whose connections cannot be built yet (none configured) gets none: its notes wait as drafts,
   * and the same request retried later starts them.
   */
  async function issueJobs(orgId: string, contract: ContractRow, creditNoteIds: readonly string[]) {
    if (creditNoteIds.length === 0) return [];
    const adapters = await hub.adaptersFor(orgId);
    if (!adapters.ok) return [];
    return creditNoteIds.map((creditNoteId) =>
      enqueueStatement(
        db,
        clock,
        issueCreditNoteJob({
          orgId,
          creditNoteId,
          correlationId: amendmentCorrelation(contract),
          taxVendor: adapters.value.tax.vendor,
        }),
      ),
    );
  }

  /** The response of an amendment: the version, the invoices it created (same ids on a replay), the diff. */
  async function amendmentBody(
    a: { latest: ContractRow; previousTerms: ContractTerms; invoiceIds: string[] },
    next: ContractTerms,
  ) {
    const stored = await invoicesWithLines(db, a.latest.orgId, a.invoiceIds);
    return {
      contract: toContractBody(a.latest),
      invoices: stored.map(toInvoiceBody),
      diff: diffTerms(a.previousTerms, next),
    };
  }

  app.openapi(previewRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    const { at } = c.req.valid('query');
    const orgId = c.get('orgId');
    const row = await findContract(db, orgId, id);
    if (!row) return notFound(c, id) as never;
    const terms = storedTerms(row);
    if (!terms) {
      return problem(c, 409, 'Conflict', `contract ${id} has no terms (made before terms existed)`) as never;
    }
    const preview = await previewInvoices(db, orgId, row, terms, at);
    if (!preview.ok) return issuesProblem(c, preview) as never;
    return c.json({ contract_id: row.id, version: row.version, at, invoices: preview.invoices }, 200);
  });

  return app;
}
