/**
 * The routes every standing sweep (fuzz, tenant) walks, read off the running app: the OpenAPI
 * document for /api/v1 (parameters and body schemas), and Hono's own route list for everything
 * else (webhooks, OAuth, embedded views), so a route added anywhere is swept without an edit here.
 */
/** What the sweeps need of the app: its in-process request and Hono's route list. */
export interface SweptApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
  routes: readonly { method: string; path: string }[];
}

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema fragments of the OpenAPI document are untyped
export type JsonSchema = any;

export interface RouteParam {
  name: string;
  in: 'path' | 'query' | 'header';
  schema: JsonSchema;
}

export interface SweptRoute {
  method: string;
  /** Full path template with `{name}` parameters, e.g. `/api/v1/contracts/{id}`. */
  template: string;
  /** `METHOD template`, the name tables and failures use. */
  name: string;
  params: RouteParam[];
  /** The JSON request body's schema (refs resolved lazily through `resolve`), when documented. */
  body?: JsonSchema;
  documented: boolean;
}

export interface RouteCatalogue {
  routes: SweptRoute[];
  /** Follows `$ref`s into the document's components. */
  resolve(schema: JsonSchema): JsonSchema;
}

/** Hono path `/x/:id{con_[^/]+}/:token` → `/x/{id}/{token}`. */
function honoToTemplate(path: string): string {
  return path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, '{$1}');
}

export async function routeCatalogue(app: SweptApp): Promise<RouteCatalogue> {
  const res = await app.request('/api/v1/openapi.json');
  if (res.status !== 200) throw new Error(`openapi.json answered ${res.status}`);
  // biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is plain JSON
  const doc: any = await res.json();
  const base: string = doc.servers?.[0]?.url ?? '';
  const resolve = (schema: JsonSchema): JsonSchema => {
    let s = schema;
    while (s && typeof s === 'object' && typeof s.$ref === 'string') {
      const name = s.$ref.replace('#/components/schemas/', '');
      s = doc.components?.schemas?.[name];
    }
    return s;
  };
  const routes: SweptRoute[] = [];
  const seen = new Set<string>();
  for (const [path, ops] of Object.entries<Record<string, JsonSchema>>(doc.paths)) {
    for (const [method, op] of Object.entries<JsonSchema>(ops)) {
      const template = `${base}${path}`;
      const name = `${method.toUpperCase()} ${template}`;
      seen.add(name);
      routes.push({
        method: method.toUpperCase(),
        template,
        name,
        params: (op.parameters ?? []).map((p: JsonSchema) => ({ name: p.name, in: p.in, schema: p.schema ?? {} })),
        ...(op.requestBody?.content?.['application/json']
          ? { body: op.requestBody.content['application/json'].schema }
          : {}),
        documented: true,
      });
    }
  }
  // Routes outside the document (webhooks, OAuth, embeds; and any /api/v1 route someone forgot to document).
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    const template = honoToTemplate(r.path);
    const name = `${r.method} ${template}`;
    if (seen.has(name)) continue;
    seen.add(name);
    const params = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1]!,
      in: 'path' as const,
      schema: { type: 'string' },
    }));
    routes.push({ method: r.method, template, name, params, documented: false });
  }
  return { routes, resolve };
}

/** Fills a template's `{name}` parameters (URI-encoded). */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? 'x'));
}

/** The path parameter that names the resource, and the resource: `/invoices/{id}/void` → `invoices`. */
export function resourceOf(route: SweptRoute): { param: string; resource: string } | undefined {
  const parts = route.template.split('/');
  for (let i = 1; i < parts.length; i++) {
    const m = /^\{(.+)\}$/.exec(parts[i]!);
    if (m) return { param: m[1]!, resource: parts[i - 1]! };
  }
  return undefined;
}
