/**
 * Field mappings over HTTP: versions (draft → published, roll back by publishing an older one),
 * and the dry run — what a mapping makes of a deal (fetched through the CRM adapter or pasted),
 * with the first invoice preview, per-field provenance and, given a second version, the diff.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { dealBundleSchema } from '../../../mappings/bundle.js';
import {
  checkDefinition,
  defaultMappings,
  type MappingSet,
  mapDeal,
  mappingDefinitionSchema,
  sourcePaths,
  toMappingSet,
} from '../../../mappings/index.js';
import {
  createDraft,
  getMappingVersion,
  listMappingVersions,
  type MappingRow,
  publishVersion,
} from '../../db/repos/mappings.js';
import type { DealBundle } from '../../domain/deal.js';
import { firstInvoice } from '../../domain/invoice.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { problem, zodFieldProblems } from '../problem.js';

const crmSchema = z.enum(['salesforce', 'hubspot']);
const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const anyObject = z.record(z.string(), z.unknown());
const problemContent = { 'application/problem+json': { schema: anyObject } };
const idParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

function view(row: MappingRow) {
  return {
    id: row.id,
    crm: row.crm,
    version: row.version,
    status: row.status,
    definition: JSON.parse(row.definition),
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    publishedAt: row.publishedAt,
  };
}

/** Flattens a value into path → leaf value, for the diff of two dry runs. */
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

/** Shared with the console's live preview (src/http/ui/mappings.tsx). */
export async function dryRun(set: MappingSet, bundle: DealBundle) {
  const mapped = await mapDeal(set, bundle);
  const provenance = Object.fromEntries(Object.entries(set.fields).map(([field, expr]) => [field, sourcePaths(expr)]));
  if (!mapped.ok)
    return { mapping: { id: set.id, version: set.version }, ok: false as const, errors: mapped.errors, provenance };
  return {
    mapping: { id: set.id, version: set.version },
    ok: true as const,
    contract: mapped.value.draft,
    invoicePreview: firstInvoice(mapped.value.draft),
    provenance,
  };
}

const listRoute = createRoute({
  method: 'get',
  path: '/mappings',
  summary: 'Mapping versions of this org for one CRM (the built-in default applies while none is published)',
  request: { query: z.object({ crm: crmSchema.default('salesforce') }).strict() },
  responses: { 200: { description: 'Versions, newest first', content: json(anyObject) } },
});

const createRouteDef = createRoute({
  method: 'post',
  path: '/mappings',
  summary: 'Create a draft mapping version',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              crm: crmSchema,
              definition: anyObject.openapi({
                description: 'The mapping set (mappings/definition.ts); its fields are checked, unknown ones refused',
              }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: { description: 'The draft', content: json(anyObject) },
    400: { description: 'Per-field errors (path, expression, message); nothing saved', content: problemContent },
  },
});

const publishRoute = createRoute({
  method: 'post',
  path: '/mappings/{id}/publish',
  summary: 'Publish a version (rolling back = publishing an older one); the previous one is retired',
  request: { params: idParam },
  responses: {
    200: { description: 'Published', content: json(anyObject) },
    404: { description: 'Not found', content: problemContent },
  },
});

const dryRunRoute = createRoute({
  method: 'post',
  path: '/mappings/{id}/dry-run',
  summary: 'Map a deal without writing anything: contract, first invoice preview, provenance, diff',
  request: {
    params: idParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              deal_id: z.string().min(1).optional(),
              bundle: anyObject.optional().openapi({
                description: 'A deal bundle (mappings/bundle.ts); its fields are checked, unknown ones refused',
              }),
              compare_with: z.string().min(1).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: { description: 'The dry run', content: json(anyObject) },
    400: { description: 'Bad request', content: problemContent },
    404: { description: 'Not found', content: problemContent },
  },
});

export function mountMappingRoutes(api: OpenAPIHono<AppEnv>, hub: HubContext): void {
  api.use('/mappings', async (c, next) => (c.req.method === 'GET' ? next() : requireRole('admin')(c, next)));
  api.use('/mappings/*', async (c, next) => {
    // A dry run writes nothing, so finance and sales ops may try mappings too.
    if (c.req.path.endsWith('/dry-run')) return requireRole('admin', 'finance', 'sales_ops')(c, next);
    return c.req.method === 'GET' ? next() : requireRole('admin')(c, next);
  });

  api.openapi(listRoute, async (c) => {
    const { crm } = c.req.valid('query');
    const rows = await listMappingVersions(hub.db, c.get('orgId'), crm);
    // The built-in default's definition, in the shape POST /mappings takes, so it can be copied into a draft.
    const { id: _id, version: _version, crm: _crm, ...defaultDefinition } = defaultMappings[crm];
    return c.json(
      { crm, default: defaultMappings[crm].id, default_definition: defaultDefinition, versions: rows.map(view) },
      200,
    );
  });

  api.openapi(createRouteDef, async (c) => {
    const { crm, definition: submitted } = c.req.valid('json');
    // A built-in default copied as is carries its id, version and crm: the version gets a new id and
    // number anyway, and its crm must be the one the draft is for.
    const { id: _id, version: _version, crm: ownCrm, ...definition } = submitted;
    if (ownCrm !== undefined && ownCrm !== crm) {
      return problem(c, 400, 'Invalid mapping', `definition.crm: is ${String(ownCrm)}, but the draft is for ${crm}`, [
        { field: 'definition.crm', message: `must be ${crm} (the draft's crm) or left out` },
      ]) as never;
    }
    const parsed = mappingDefinitionSchema.safeParse(definition);
    const errors = parsed.success
      ? checkDefinition(parsed.data).map((e) => ({
          field: e.path,
          message: e.expression ? `${e.message} (in ${e.expression})` : e.message,
        }))
      : zodFieldProblems(parsed.error.issues, { prefix: 'definition' });
    if (!parsed.success || errors.length > 0) {
      return problem(
        c,
        400,
        'Invalid mapping',
        errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      ) as never;
    }
    const row = await createDraft(hub.db, hub.clock.now().toISOString(), {
      orgId: c.get('orgId'),
      crm,
      definition: parsed.data,
      actor: c.get('apiKeyId'),
    });
    return c.json(view(row), 201);
  });

  api.openapi(publishRoute, async (c) => {
    const orgId = c.get('orgId');
    const row = await getMappingVersion(hub.db, orgId, c.req.valid('param').id);
    if (!row) return problem(c, 404, 'Not found', 'no such mapping version in this org') as never;
    const published = await publishVersion(hub.db, hub.clock.now().toISOString(), orgId, row, c.get('apiKeyId'));
    return c.json(view(published), 200);
  });

  api.openapi(dryRunRoute, async (c) => {
    const orgId = c.get('orgId');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    // `default` is the built-in set of the deal's own CRM: a pasted bundle says which; a deal id is a
    // HubSpot one when it is all digits (Salesforce ids never are).
    const dealCrm =
      (body.bundle as { source?: unknown } | undefined)?.source === 'hubspot' || /^\d+$/.test(body.deal_id ?? '')
        ? 'hubspot'
        : 'salesforce';
    const resolve = async (mappingId: string) =>
      mappingId === 'default'
        ? defaultMappings[dealCrm]
        : await getMappingVersion(hub.db, orgId, mappingId).then((r) => r && toMappingSet(r));
    const set = await resolve(id);
    if (!set) return problem(c, 404, 'Not found', 'no such mapping version in this org') as never;
    const other = body.compare_with ? await resolve(body.compare_with) : undefined;
    if (body.compare_with && !other) {
      return problem(c, 400, 'Invalid request', 'compare_with: no such mapping version', [
        { field: 'compare_with', message: 'no such mapping version in this org' },
      ]) as never;
    }

    let bundle: DealBundle;
    if (body.bundle) {
      const parsed = dealBundleSchema.safeParse(body.bundle);
      if (!parsed.success) {
        const errors = zodFieldProblems(parsed.error.issues, { prefix: 'bundle' });
        return problem(
          c,
          400,
          'Invalid deal bundle',
          errors.map((e) => `${e.field}: ${e.message}`).join('; '),
          errors,
        ) as never;
      }
      bundle = parsed.data;
    } else if (body.deal_id) {
      const adapters = await hub.adaptersFor(orgId);
      if (!adapters.ok) return problem(c, 503, 'CRM unavailable', adapters.reason) as never;
      const crm = adapters.value.crm[set.crm];
      if (!crm) return problem(c, 400, 'No CRM connection', `no ${set.crm} connection for this org`) as never;
      const fetched = await crm.fetchDeal(body.deal_id);
      if (!fetched.ok) {
        return problem(c, fetched.kind === 'permanent' ? 400 : 503, 'Deal not readable', fetched.reason, [
          { field: 'deal_id', message: fetched.reason },
        ]) as never;
      }
      bundle = fetched.value;
    } else {
      return problem(c, 400, 'Invalid request', 'send deal_id or bundle', [
        { field: 'deal_id', message: 'send deal_id or bundle' },
      ]) as never;
    }

    const result = await dryRun(set, bundle);
    if (!other) return c.json(result, 200);
    const compared = await dryRun(other, bundle);
    const a = flatten(result.ok ? result.contract : { errors: result.errors });
    const b = flatten(compared.ok ? compared.contract : { errors: compared.errors });
    const diff = [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((path) => a[path] !== b[path])
      .sort()
      .map((path) => ({ path, [String(set.version)]: a[path] ?? null, [`compare:${other.version}`]: b[path] ?? null }));
    return c.json({ ...result, compare: compared, diff }, 200);
  });
}
