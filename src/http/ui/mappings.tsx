/**
 * Mappings in the console: the versions of each CRM's mapping set, an editor where each target field
 * is a JSONata expression with a live preview (the dry run of POST /api/v1/mappings/{id}/dry-run, for
 * a pasted bundle or a real deal, re-run by htmx as the admin types, errors at the field), publish,
 * roll back (publish an older version) and the diff of two versions. Same repositories and the same
 * role rules as the mapping API: reading for everyone, the preview for admin, finance and sales_ops,
 * saving and publishing for admin.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { dealBundleSchema } from '../../../mappings/bundle.js';
import { defaultMappings, toMappingSet } from '../../../mappings/index.js';
import {
  createDraft,
  getMappingVersion,
  listMappingVersions,
  type MappingRow,
  publishVersion,
} from '../../db/repos/mappings.js';
import type { DealBundle } from '../../domain/deal.js';
import { minorToMajor } from '../../domain/money.js';
import type { CrmVendor } from '../../domain/vendors.js';
import type { HubContext, Role } from '../context.js';
import type { FieldProblem } from '../problem.js';
import { dryRun } from '../routes/mappings.js';
import type { UiEnv } from './env.js';
import { ErrorSlot } from './error-slot.js';
import { formFields } from './form.js';
import { Badge, Card, CsrfField, page, Shell, Table } from './layout.js';
import { splitLookups, tableSlot, tablesFromForm } from './lookup-tables.js';
import { LookupTablesEditor } from './lookup-tables-view.js';
import {
  draftSet,
  EDITOR_FIELDS,
  errorSlotId,
  FIELD_PREFIX,
  placeEngineErrors,
  REQUIRED_FIELDS,
  readDefinitionForm,
} from './mapping-form.js';
import { SAMPLE_BUNDLE, sourceFieldPaths } from './sample-bundle.js';
import { type ConsoleSession, requireConsoleRole } from './session.js';

const PREVIEW_ROLES: Role[] = ['admin', 'finance', 'sales_ops'];
const crmOf = (value: string | undefined): CrmVendor => (value === 'hubspot' ? 'hubspot' : 'salesforce');

interface EditorSource {
  crm: CrmVendor;
  /** What the editor opened: a stored version, or the built-in default. */
  title: string;
  version?: MappingRow;
  description: string;
  defaults: Record<string, unknown>;
  lookups: Record<string, unknown>;
  fields: Record<string, string>;
}

function sourceOf(row: MappingRow): EditorSource {
  const set = toMappingSet(row);
  return {
    crm: row.crm,
    title: `${row.crm} mapping v${row.version}`,
    version: row,
    description: set.description,
    defaults: set.defaults,
    lookups: set.lookups,
    fields: set.fields,
  };
}

function defaultSource(crm: CrmVendor): EditorSource {
  const set = defaultMappings[crm];
  return {
    crm,
    title: `${crm} built-in default (${set.id} v${set.version})`,
    description: set.description,
    defaults: set.defaults,
    lookups: set.lookups,
    fields: set.fields,
  };
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** Expressions long enough to want several lines; the others are one line with path completion. */
const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(['lines', 'customer.email', 'customer.address']);
/** The datalist of source field paths the one-line expressions complete from. */
const SOURCE_PATHS_LIST = 'source-paths';

const JsonBox: FC<{ name: string; label: string; rows: number; text: string; message?: string | undefined }> = ({
  name,
  label,
  rows,
  text,
  message,
}) => (
  <div class={`slds-form-element slds-m-bottom_x-small${message ? ' slds-has-error' : ''}`}>
    <label class="slds-form-element__label" for={name}>
      {label}
    </label>
    <div class="slds-form-element__control">
      <textarea
        id={name}
        name={name}
        class="slds-textarea slds-text-font_monospace"
        rows={rows}
        spellcheck={false}
        aria-describedby={errorSlotId(name)}
      >
        {text}
      </textarea>
    </div>
    <ErrorSlot path={name} message={message} />
  </div>
);

const VersionsPage: FC<{ session: ConsoleSession; crm: CrmVendor; rows: MappingRow[] }> = ({ session, crm, rows }) => {
  const isAdmin = session.role === 'admin';
  const published = rows.find((r) => r.status === 'published');
  return (
    <div>
      <div class="slds-m-bottom_small">
        {(['salesforce', 'hubspot'] as const).map((c) => (
          <a
            class={`slds-button ${c === crm ? 'slds-button_brand' : 'slds-button_neutral'}`}
            href={`/ui/mappings?crm=${c}`}
          >
            {c}
          </a>
        ))}
      </div>
      <Card
        title={`${crm} mapping versions`}
        actions={
          <a class="slds-button slds-button_neutral" href={`/ui/mappings/default-${crm}`}>
            Open the built-in default
          </a>
        }
      >
        <p class="slds-m-bottom_small">
          {published
            ? `Version ${published.version} is published: new deals map with it.`
            : `No version is published: new deals map with the built-in default (${defaultMappings[crm].id}).`}
        </p>
        <Table
          caption="Mapping versions"
          headers={['Version', 'Status', 'Created', 'Published', '']}
          empty="No versions yet: open the built-in default and save it as a draft."
          rows={rows.map((r) => [
            <a href={`/ui/mappings/${r.id}`}>v{r.version}</a>,
            <Badge status={r.status} testid={`status-v${r.version}`} />,
            r.createdAt,
            r.publishedAt ?? '',
            isAdmin && r.status !== 'published' ? (
              <form method="post" action={`/ui/mappings/${r.id}/publish`}>
                <CsrfField session={session} />
                <button type="submit" class="slds-button slds-button_neutral" data-testid={`publish-v${r.version}`}>
                  {r.status === 'retired' ? 'Roll back to this' : 'Publish'}
                </button>
              </form>
            ) : (
              ''
            ),
          ])}
        />
      </Card>
      {rows.length >= 2 && (
        <Card title="Compare two versions">
          <form method="get" action="/ui/mappings/diff" class="slds-grid slds-gutters slds-grid_vertical-align-end">
            {(['a', 'b'] as const).map((name, i) => (
              <div class="slds-col slds-form-element">
                <label class="slds-form-element__label" for={`diff-${name}`}>
                  {i === 0 ? 'From' : 'To'}
                </label>
                <select id={`diff-${name}`} name={name} class="slds-select">
                  {rows.map((r, j) => (
                    <option value={r.id} selected={j === (i === 0 ? 1 : 0)}>
                      v{r.version} ({r.status})
                    </option>
                  ))}
                </select>
              </div>
            ))}
            <div class="slds-col">
              <button type="submit" class="slds-button slds-button_neutral">
                Diff
              </button>
            </div>
          </form>
        </Card>
      )}
    </div>
  );
};

const Editor: FC<{
  session: ConsoleSession;
  source: EditorSource;
  errors?: FieldProblem[];
  form?: Record<string, string>;
}> = ({ session, source, errors = [], form }) => {
  const errorAt = (path: string) =>
    errors
      .filter((e) => e.field === path)
      .map((e) => e.message)
      .join('; ') || undefined;
  const value = (name: string, fallback: string) => form?.[name] ?? fallback;
  const canPreview = PREVIEW_ROLES.includes(session.role);
  const isAdmin = session.role === 'admin';
  const version = source.version;
  // Map lookups are edited as tables; a form shown again keeps what was typed in them.
  const split = splitLookups(source.lookups);
  const tables = form ? tablesFromForm(form) : split.tables;
  const fieldNames = [
    ...EDITOR_FIELDS.filter(
      (f) => REQUIRED_FIELDS.has(f) || source.fields[f] !== undefined || form?.[`${FIELD_PREFIX}${f}`],
    ),
    ...EDITOR_FIELDS.filter(
      (f) => !REQUIRED_FIELDS.has(f) && source.fields[f] === undefined && !form?.[`${FIELD_PREFIX}${f}`],
    ),
  ];
  return (
    <div class="slds-grid slds-gutters slds-wrap">
      <div class="slds-col slds-size_1-of-2">
        <Card
          title={source.title}
          actions={
            version && isAdmin && version.status !== 'published' ? (
              <form method="post" action={`/ui/mappings/${version.id}/publish`}>
                <CsrfField session={session} />
                <button type="submit" class="slds-button slds-button_brand" data-testid="publish">
                  {version.status === 'retired' ? 'Roll back to this version' : 'Publish this version'}
                </button>
              </form>
            ) : version ? (
              <Badge status={version.status} />
            ) : undefined
          }
        >
          <form
            id="mapping-editor"
            method="post"
            action="/ui/mappings"
            hx-post={canPreview ? '/ui/mappings/preview' : undefined}
            hx-trigger={canPreview ? 'load, input changed delay:300ms' : undefined}
            hx-target="#preview"
            hx-swap="innerHTML"
            hx-sync="this:replace"
          >
            <CsrfField session={session} />
            <input type="hidden" name="crm" value={source.crm} />
            <datalist id={SOURCE_PATHS_LIST} data-testid="source-paths">
              {sourceFieldPaths(SAMPLE_BUNDLE).map((p) => (
                <option value={p} />
              ))}
            </datalist>
            <p class="slds-text-color_weak slds-m-bottom_small">
              Each target field is a JSONata expression over the deal bundle; <code>$defaults</code> and{' '}
              <code>$lookups</code> are the tables below. Saving makes a new draft version; versions never change.
            </p>
            <div class="slds-form-element slds-m-bottom_small">
              <label class="slds-form-element__label" for="description">
                Description
              </label>
              <input
                id="description"
                name="description"
                class="slds-input"
                value={value('description', source.description)}
              />
            </div>
            {fieldNames.map((field) => {
              const path = `fields.${field}`;
              const message = errorAt(path);
              return (
                <div class={`slds-form-element slds-m-bottom_x-small${message ? ' slds-has-error' : ''}`}>
                  <label class="slds-form-element__label" for={`expr-${field}`}>
                    {REQUIRED_FIELDS.has(field) ? <abbr class="slds-required">*</abbr> : ''}
                    {field}
                  </label>
                  <div class="slds-form-element__control">
                    {MULTI_LINE_FIELDS.has(field) ? (
                      <textarea
                        id={`expr-${field}`}
                        name={`${FIELD_PREFIX}${field}`}
                        class="slds-textarea slds-text-font_monospace"
                        rows={5}
                        spellcheck={false}
                        data-field={field}
                        aria-describedby={errorSlotId(path)}
                      >
                        {value(`${FIELD_PREFIX}${field}`, source.fields[field] ?? '')}
                      </textarea>
                    ) : (
                      <input
                        id={`expr-${field}`}
                        name={`${FIELD_PREFIX}${field}`}
                        class="slds-input slds-text-font_monospace"
                        list={SOURCE_PATHS_LIST}
                        autocomplete="off"
                        spellcheck={false}
                        data-field={field}
                        aria-describedby={errorSlotId(path)}
                        value={value(`${FIELD_PREFIX}${field}`, source.fields[field] ?? '')}
                      />
                    )}
                  </div>
                  <ErrorSlot path={path} message={message} />
                </div>
              );
            })}
            <JsonBox
              name="defaults"
              label="$defaults (JSON)"
              rows={3}
              text={value('defaults', pretty(source.defaults))}
              message={errorAt('defaults')}
            />
            <LookupTablesEditor tables={tables} errorAt={errorAt} />
            <JsonBox
              name="lookups"
              label="Other $lookups: lists and values (JSON)"
              rows={4}
              text={value('lookups', pretty(split.rest))}
              message={errorAt('lookups')}
            />
            <fieldset class="slds-form-element slds-m-vertical_small">
              <legend class="slds-form-element__legend slds-form-element__label">Preview with</legend>
              <div class="slds-form-element__control">
                <label class="slds-m-right_small">
                  <input type="radio" name="source" value="bundle" checked={value('source', 'bundle') === 'bundle'} /> a
                  pasted deal bundle
                </label>
                <label>
                  <input type="radio" name="source" value="deal" checked={value('source', 'bundle') === 'deal'} /> a
                  real deal of the {source.crm} connection
                </label>
              </div>
              <label class="slds-form-element__label" for="deal_id">
                Deal id
              </label>
              <input id="deal_id" name="deal_id" class="slds-input" value={value('deal_id', '')} placeholder="006…" />
              <ErrorSlot path="deal_id" />
              <label class="slds-form-element__label" for="bundle">
                Deal bundle (JSON)
              </label>
              <textarea
                id="bundle"
                name="bundle"
                class="slds-textarea slds-text-font_monospace"
                rows={8}
                spellcheck={false}
              >
                {value('bundle', pretty(SAMPLE_BUNDLE))}
              </textarea>
              <ErrorSlot path="bundle" />
            </fieldset>
            {isAdmin && (
              <button type="submit" class="slds-button slds-button_brand" data-testid="save-draft">
                Save as a new draft
              </button>
            )}
          </form>
        </Card>
      </div>
      <div class="slds-col slds-size_1-of-2">
        <Card title="Preview">
          <div id="preview" aria-live="polite" data-testid="preview">
            {canPreview
              ? 'Computing the preview…'
              : 'Your role cannot run previews (admin, finance and sales_ops can).'}
          </div>
        </Card>
        <Card title="Source fields of the sample deal">
          <ul class="slds-text-font_monospace slds-text-body_small">
            {sourceFieldPaths(SAMPLE_BUNDLE).map((p) => (
              <li>{p}</li>
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
};

type PreviewOutcome = Awaited<ReturnType<typeof dryRun>>;

/** The value at a dotted target path of the mapped contract ("customer.name"). */
function valueAt(value: unknown, path: string): unknown {
  let node = value;
  for (const part of path.split('.'))
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

const PreviewPane: FC<{ result?: PreviewOutcome; problems: FieldProblem[]; general: string[] }> = ({
  result,
  problems,
  general,
}) => {
  const count = problems.length + general.length;
  return (
    <div>
      <div
        class={`slds-notify slds-notify_alert ${count === 0 ? 'slds-theme_success' : 'slds-theme_error'} slds-m-bottom_small`}
        role="status"
        data-testid="preview-status"
      >
        {count === 0
          ? 'The draft maps this deal.'
          : `${count} problem${count === 1 ? '' : 's'}: see the fields marked.`}
      </div>
      {general.length > 0 && (
        <ul class="slds-text-color_error slds-m-bottom_small">
          {general.map((g) => (
            <li>{g}</li>
          ))}
        </ul>
      )}
      {result?.ok && (
        <div>
          <h3 class="slds-text-title_caps slds-m-bottom_x-small">Contract</h3>
          <Table
            caption="Mapped contract"
            headers={['Field', 'Value', 'From']}
            empty=""
            rows={Object.entries(result.provenance).map(([field, from]) => {
              const v = valueAt(result.contract, field);
              return [
                field,
                <span class="slds-text-font_monospace" data-preview-field={field}>
                  {field === 'lines' && Array.isArray(v)
                    ? `${v.length} line${v.length === 1 ? '' : 's'} (below)`
                    : typeof v === 'string'
                      ? v
                      : JSON.stringify(v ?? null)}
                </span>,
                from.join(', '),
              ];
            })}
          />
          <h3 class="slds-text-title_caps slds-m-vertical_x-small">First invoice</h3>
          <Table
            caption="First invoice preview"
            headers={['#', 'SKU', 'Description', 'Quantity', 'Amount']}
            empty="No line is billed in advance."
            rows={result.invoicePreview.lines.map((l) => [
              l.lineNo,
              l.sku,
              l.description,
              l.quantity,
              `${minorToMajor(l.amountMinor, result.invoicePreview.currency)} ${result.invoicePreview.currency}`,
            ])}
          />
          <p class="slds-m-top_x-small" data-testid="preview-total">
            {`Period ${result.invoicePreview.periodStart} – ${result.invoicePreview.periodEnd}, due ${result.invoicePreview.dueDate}: `}
            <strong>
              {minorToMajor(result.invoicePreview.subtotalMinor, result.invoicePreview.currency)}{' '}
              {result.invoicePreview.currency}
            </strong>{' '}
            before tax
          </p>
        </div>
      )}
    </div>
  );
};

/** The preview fragment: the pane, plus every field's error slot swapped out of band (cleared or set). */
const PreviewFragment: FC<{
  result?: PreviewOutcome;
  problems: FieldProblem[];
  general: string[];
  tableCount: number;
}> = ({ tableCount, ...props }) => {
  const slots = [
    ...EDITOR_FIELDS.map((f) => `fields.${f}`),
    'defaults',
    'lookups',
    ...Array.from({ length: tableCount }, (_, i) => tableSlot(i)),
    'bundle',
    'deal_id',
  ];
  return (
    <>
      <PreviewPane {...props} />
      {slots.map((path) => (
        <ErrorSlot
          path={path}
          oob
          message={
            props.problems
              .filter((p) => p.field === path)
              .map((p) => p.message)
              .join('; ') || undefined
          }
        />
      ))}
    </>
  );
};

async function previewBundle(
  hub: HubContext,
  orgId: string,
  crm: CrmVendor,
  body: Record<string, unknown>,
): Promise<{ bundle?: DealBundle; problem?: FieldProblem }> {
  if (body.source === 'deal') {
    const dealId = typeof body.deal_id === 'string' ? body.deal_id.trim() : '';
    if (!dealId) return { problem: { field: 'deal_id', message: 'enter the id of a deal to preview with' } };
    const adapters = await hub.adaptersFor(orgId);
    if (!adapters.ok) return { problem: { field: 'deal_id', message: adapters.reason } };
    const port = adapters.value.crm[crm];
    if (!port) return { problem: { field: 'deal_id', message: `no ${crm} connection for this org` } };
    const fetched = await port.fetchDeal(dealId);
    if (!fetched.ok) return { problem: { field: 'deal_id', message: fetched.reason } };
    return { bundle: fetched.value };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(typeof body.bundle === 'string' ? body.bundle : '');
  } catch (error) {
    return { problem: { field: 'bundle', message: `not valid JSON: ${(error as Error).message}` } };
  }
  const parsed = dealBundleSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    return { problem: { field: 'bundle', message: `${first.path.join('.') || '(root)'}: ${first.message}` } };
  }
  return { bundle: parsed.data };
}

/** Flattens a definition for the diff: fields.x, defaults.y, lookups.z.w → value. */
function flattenDefinition(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flattenDefinition(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

export function mappingRoutes(hub: HubContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>();

  app.get('/', async (c) => {
    const session = c.get('session');
    const crm = crmOf(c.req.query('crm'));
    const rows = await listMappingVersions(hub.db, session.orgId, crm);
    return c.html(
      page(
        <Shell title="Mappings" session={session} tab="mappings" notice={c.req.query('notice')}>
          <VersionsPage session={session} crm={crm} rows={rows} />
        </Shell>,
      ),
    );
  });

  app.get('/diff', async (c) => {
    const session = c.get('session');
    const [a, b] = await Promise.all(
      [c.req.query('a'), c.req.query('b')].map((id) => (id ? getMappingVersion(hub.db, session.orgId, id) : undefined)),
    );
    if (!a || !b) {
      return c.html(
        page(
          <Shell title="Mapping diff" session={session} tab="mappings">
            <p class="slds-text-color_error">Choose two versions of this org’s mappings.</p>
          </Shell>,
        ),
        404,
      );
    }
    const left = flattenDefinition(JSON.parse(a.definition));
    const right = flattenDefinition(JSON.parse(b.definition));
    const paths = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
    const changed = paths.filter((p) => left[p] !== right[p]);
    return c.html(
      page(
        <Shell title={`Mapping diff: v${a.version} → v${b.version}`} session={session} tab="mappings">
          <Card title={`${changed.length} of ${paths.length} entries differ`}>
            <Table
              caption="Changed entries"
              headers={['Entry', `v${a.version} (${a.status})`, `v${b.version} (${b.status})`]}
              empty="The two versions are the same."
              rows={changed.map((p) => [
                <span class="slds-text-font_monospace">{p}</span>,
                <del class="slds-text-font_monospace" data-testid={`diff-old-${p}`}>
                  {left[p] ?? '(none)'}
                </del>,
                <ins class="slds-text-font_monospace" data-testid={`diff-new-${p}`}>
                  {right[p] ?? '(none)'}
                </ins>,
              ])}
            />
            <p class="slds-m-top_small">
              <a href={`/ui/mappings?crm=${a.crm}`}>Back to the versions</a>
            </p>
          </Card>
        </Shell>,
      ),
    );
  });

  app.post('/preview', requireConsoleRole(...PREVIEW_ROLES), async (c) => {
    const session = c.get('session');
    const body = await formFields(c);
    const read = readDefinitionForm(body);
    const tableCount = tablesFromForm(body).length;
    const problems: FieldProblem[] = [...read.errors];
    const { bundle, problem } = await previewBundle(hub, session.orgId, read.crm, body);
    if (problem) problems.push(problem);
    if (!read.definition || !bundle)
      return c.html(<PreviewFragment problems={problems} general={[]} tableCount={tableCount} />);
    const set = draftSet(read.crm, read.definition);
    let result: PreviewOutcome;
    try {
      result = await dryRun(set, bundle);
    } catch (error) {
      // firstInvoice refuses a contract it cannot bill (e.g. nothing in advance): say so, at no field.
      return c.html(
        <PreviewFragment problems={problems} general={[(error as Error).message]} tableCount={tableCount} />,
      );
    }
    const placed = result.ok ? { byField: [], general: [] } : placeEngineErrors(result.errors);
    return c.html(
      <PreviewFragment
        result={result}
        problems={[...problems, ...placed.byField]}
        general={placed.general}
        tableCount={tableCount}
      />,
    );
  });

  app.post('/', requireConsoleRole('admin'), async (c) => {
    const session = c.get('session');
    const body = await formFields(c);
    const read = readDefinitionForm(body);
    if (!read.definition) {
      const source = { ...defaultSource(read.crm), title: 'New draft (not saved)' };
      return c.html(
        page(
          <Shell
            title="Mapping editor"
            session={session}
            tab="mappings"
            notice="Nothing was saved: fix the marked fields."
          >
            <Editor session={session} source={source} errors={read.errors} form={body} />
          </Shell>,
        ),
        400,
      );
    }
    const row = await createDraft(hub.db, hub.clock.now().toISOString(), {
      orgId: session.orgId,
      crm: read.crm,
      definition: read.definition,
      actor: session.actor,
    });
    return c.redirect(`/ui/mappings/${row.id}?notice=${encodeURIComponent(`Saved as draft v${row.version}.`)}`, 303);
  });

  app.post('/:id/publish', requireConsoleRole('admin'), async (c) => {
    const session = c.get('session');
    const row = await getMappingVersion(hub.db, session.orgId, c.req.param('id'));
    if (!row) return c.html(page(<Shell title="Not found" session={session} tab="mappings" />), 404);
    const wasRetired = row.status === 'retired';
    const published = await publishVersion(hub.db, hub.clock.now().toISOString(), session.orgId, row, session.actor);
    const notice = wasRetired
      ? `Rolled back: v${published.version} is published again.`
      : `Published v${published.version}.`;
    return c.redirect(`/ui/mappings?crm=${published.crm}&notice=${encodeURIComponent(notice)}`, 303);
  });

  app.get('/:id', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    const match = /^default-(salesforce|hubspot)$/.exec(id);
    const row = match ? undefined : await getMappingVersion(hub.db, session.orgId, id);
    if (!match && !row) return c.html(page(<Shell title="Not found" session={session} tab="mappings" />), 404);
    const source = row ? sourceOf(row) : defaultSource(crmOf(match![1]));
    return c.html(
      page(
        <Shell title="Mapping editor" session={session} tab="mappings" notice={c.req.query('notice')}>
          <Editor session={session} source={source} />
        </Shell>,
      ),
    );
  });

  return app;
}
