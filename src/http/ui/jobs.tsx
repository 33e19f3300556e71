/**
 * The sync log: every job of the org, filtered by state, connection (vendor), flow and error text;
 * a job's detail with its attempts, flow steps, payload (secrets redacted) and the error in plain
 * words; Retry now (the replay of POST /api/v1/jobs/{id}/replay) and Mark resolved with a reason.
 * Reading and acting both need admin or finance, as GET /api/v1/jobs and the replay do.
 */
import { type Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { atomic } from '../../db/atomic.js';
import {
  clearResolutionStatement,
  type JobWithResolution,
  jobFacets,
  jobResolution,
  resolveDeadJob,
  searchJobs,
} from '../../db/repos/console-jobs.js';
import { findRun, stepsOfRun } from '../../db/repos/flow-runs.js';
import { findJob, type JobRow, type JobState } from '../../db/repos/jobs.js';
import { replayJob } from '../../jobs/queue.js';
import type { HubContext, Role } from '../context.js';
import { editDeadJobInput, MAX_BULK_REPLAY, payloadOf, redact, replayMatchingDeadJobs } from '../job-actions.js';
import type { UiEnv } from './env.js';
import { formFields } from './form.js';
import { Badge, Card, CsrfField, page, Shell, Table } from './layout.js';
import { plainError } from './plain-error.js';
import { type ConsoleSession, requireConsoleRole } from './session.js';

const JOB_ROLES: Role[] = ['admin', 'finance'];
const STATES: readonly JobState[] = ['queued', 'running', 'succeeded', 'dead'];
const MAX_REASON = 500;
/** An edited payload's input, as JSON text. */
const MAX_EDITED_INPUT = 64 * 1024;

export { restoreRedacted } from '../job-actions.js';

const flowOf = (job: JobRow) => payloadOf(job).flow ?? job.kind;

/** The state a person sees: a dead job someone resolved reads as resolved. */
const shownState = (job: JobRow, resolved: boolean) => (job.state === 'dead' && resolved ? 'resolved' : job.state);

/** The live state badge; polls itself while the job may still change. */
const JobStatus: FC<{ job: JobRow; resolved: boolean }> = ({ job, resolved }) => {
  const settled = job.state === 'succeeded' || job.state === 'dead';
  return (
    <span
      id="job-status"
      hx-get={settled ? undefined : `/ui/jobs/${job.id}/status`}
      hx-trigger={settled ? undefined : 'every 1s'}
      hx-swap="outerHTML"
    >
      <Badge status={shownState(job, resolved)} testid="job-state" />
    </span>
  );
};

interface Filter {
  state?: JobState;
  connection?: string;
  flow?: string;
  error?: string;
  open?: boolean;
}

function readFilter(q: (name: string) => string | undefined): Filter {
  const state = q('state');
  const open = q('open');
  const text = (name: string) => {
    const v = q(name)?.trim();
    return v ? v.slice(0, 200) : undefined;
  };
  return {
    ...(state && (STATES as string[]).includes(state) ? { state: state as JobState } : {}),
    ...(text('connection') ? { connection: text('connection')! } : {}),
    ...(text('flow') ? { flow: text('flow')! } : {}),
    ...(text('error') ? { error: text('error')! } : {}),
    ...(open === 'open' ? { open: true } : open === 'resolved' ? { open: false } : {}),
  };
}

const Select: FC<{ name: string; label: string; value?: string | undefined; options: string[] }> = ({
  name,
  label,
  value,
  options,
}) => (
  <div class="slds-col slds-form-element">
    <label class="slds-form-element__label" for={`filter-${name}`}>
      {label}
    </label>
    <select id={`filter-${name}`} name={name} class="slds-select">
      <option value="">any</option>
      {options.map((o) => (
        <option value={o} selected={o === value}>
          {o}
        </option>
      ))}
    </select>
  </div>
);

/** The filter as form fields (the bulk replay posts the filter the list shows). */
function filterFields(filter: Filter): Record<string, string> {
  return {
    ...(filter.state ? { state: filter.state } : {}),
    ...(filter.connection ? { connection: filter.connection } : {}),
    ...(filter.flow ? { flow: filter.flow } : {}),
    ...(filter.error ? { error: filter.error } : {}),
    ...(filter.open === true ? { open: 'open' } : filter.open === false ? { open: 'resolved' } : {}),
  };
}

const ListPage: FC<{
  session: ConsoleSession;
  jobs: JobWithResolution[];
  filter: Filter;
  facets: { flows: string[]; connections: string[] };
}> = ({ session, jobs, filter, facets }) => {
  const canAct = JOB_ROLES.includes(session.role);
  return (
    <div>
      <Card title="Filter">
        <form method="get" action="/ui/jobs" class="slds-grid slds-gutters slds-wrap slds-grid_vertical-align-end">
          <Select name="state" label="State" value={filter.state} options={[...STATES]} />
          <Select name="connection" label="Vendor" value={filter.connection} options={facets.connections} />
          <Select name="flow" label="Flow" value={filter.flow} options={facets.flows} />
          <Select
            name="open"
            label="Resolution"
            value={filter.open === true ? 'open' : filter.open === false ? 'resolved' : undefined}
            options={['open', 'resolved']}
          />
          <div class="slds-col slds-form-element">
            <label class="slds-form-element__label" for="filter-error">
              Error contains
            </label>
            <input id="filter-error" name="error" class="slds-input" value={filter.error ?? ''} />
          </div>
          <div class="slds-col">
            <button type="submit" class="slds-button slds-button_brand">
              Apply
            </button>
          </div>
        </form>
      </Card>
      <Card
        title={`${jobs.length} job${jobs.length === 1 ? '' : 's'}${jobs.length === 200 ? ' (the newest 200)' : ''}`}
        actions={
          canAct &&
          jobs.some((j) => j.state === 'dead') && (
            <form method="post" action="/ui/jobs/replay" class="slds-show_inline-block">
              <CsrfField session={session} />
              {Object.entries(filterFields(filter)).map(([name, value]) => (
                <input type="hidden" name={name} value={value} />
              ))}
              <button type="submit" class="slds-button slds-button_brand" data-testid="replay-matching">
                {`Replay every dead job that matches (up to ${MAX_BULK_REPLAY})`}
              </button>
            </form>
          )
        }
      >
        <Table
          caption="Jobs"
          headers={['Job', 'Flow', 'Vendor', 'State', 'Attempts', 'Updated', 'Error']}
          empty="No job matches."
          rows={jobs.map((j) => [
            <a href={`/ui/jobs/${j.id}`} data-testid={`job-link-${j.id}`}>
              {j.id}
            </a>,
            flowOf(j),
            j.connectionKey ?? '',
            <Badge status={shownState(j, j.resolution !== null)} />,
            `${j.attempts} / ${j.maxAttempts}`,
            j.updatedAt,
            <span class="slds-truncate slds-show_inline-block slds-size_full" title={j.lastError ?? ''}>
              {plainError(j.lastError, j.state)?.summary ?? ''}
            </span>,
          ])}
        />
      </Card>
    </div>
  );
};

/** Edit the input of a dead flow job and retry it; the error, if any, at the field. */
const EditPayload: FC<{ session: ConsoleSession; job: JobRow; text: string; error?: string | undefined }> = ({
  session,
  job,
  text,
  error,
}) => (
  <Card title="Edit the payload and retry">
    <form method="post" action={`/ui/jobs/${job.id}/edit`}>
      <CsrfField session={session} />
      <div class={`slds-form-element${error ? ' slds-has-error' : ''}`}>
        <label class="slds-form-element__label" for="edit-input">
          The flow's input (JSON). The flow and its subject stay; steps already done keep their results.
        </label>
        <div class="slds-form-element__control">
          <textarea
            id="edit-input"
            name="input"
            class="slds-textarea slds-text-font_monospace"
            rows={10}
            aria-describedby="error-edit-input"
          >
            {text}
          </textarea>
        </div>
        <div class="slds-form-element__help" id="error-edit-input" data-testid="edit-error">
          {error ?? ''}
        </div>
      </div>
      <button type="submit" class="slds-button slds-button_brand slds-m-top_x-small" data-testid="edit-and-retry">
        Save and retry
      </button>
    </form>
  </Card>
);

const DetailPage: FC<{
  session: ConsoleSession;
  job: JobRow;
  resolution: Awaited<ReturnType<typeof jobResolution>>;
  steps: Awaited<ReturnType<typeof stepsOfRun>>;
  edit?: { text: string; error: string } | undefined;
}> = ({ session, job, resolution, steps, edit }) => {
  const payload = payloadOf(job);
  const explained = plainError(job.lastError, job.state);
  const canAct = JOB_ROLES.includes(session.role);
  return (
    <div>
      <Card
        title={`Job ${job.id}`}
        actions={
          canAct &&
          job.state === 'dead' && (
            <form method="post" action={`/ui/jobs/${job.id}/replay`} class="slds-show_inline-block">
              <CsrfField session={session} />
              <button type="submit" class="slds-button slds-button_brand" data-testid="retry-now">
                Retry now
              </button>
            </form>
          )
        }
      >
        <dl class="slds-dl_horizontal">
          <dt class="slds-dl_horizontal__label">State</dt>
          <dd class="slds-dl_horizontal__detail">
            <JobStatus job={job} resolved={resolution !== undefined} />
          </dd>
          <dt class="slds-dl_horizontal__label">Flow</dt>
          <dd class="slds-dl_horizontal__detail">{flowOf(job)}</dd>
          <dt class="slds-dl_horizontal__label">Subject</dt>
          <dd class="slds-dl_horizontal__detail">{payload.subjectId ?? job.correlationId}</dd>
          <dt class="slds-dl_horizontal__label">Vendor</dt>
          <dd class="slds-dl_horizontal__detail">{job.connectionKey ?? '—'}</dd>
          <dt class="slds-dl_horizontal__label">Attempts</dt>
          <dd class="slds-dl_horizontal__detail">{`${job.attempts} of ${job.maxAttempts}`}</dd>
          <dt class="slds-dl_horizontal__label">Next attempt</dt>
          <dd class="slds-dl_horizontal__detail">
            {job.state === 'queued' ? new Date(job.nextAttemptAt).toISOString() : '—'}
          </dd>
          <dt class="slds-dl_horizontal__label">Created / updated</dt>
          <dd class="slds-dl_horizontal__detail">{`${job.createdAt} / ${job.updatedAt}`}</dd>
        </dl>
      </Card>
      {explained && (
        <Card title={job.state === 'succeeded' ? 'The last error before it succeeded' : 'What went wrong'}>
          <p data-testid="plain-error">{explained.summary}</p>
          {explained.advice && <p class="slds-text-color_weak">{explained.advice}</p>}
          <p class="slds-text-font_monospace slds-text-body_small slds-m-top_x-small">{job.lastError}</p>
        </Card>
      )}
      {resolution ? (
        <Card title="Resolved">
          <p data-testid="resolution">{`${resolution.reason} (by ${resolution.resolvedBy}, ${resolution.resolvedAt})`}</p>
        </Card>
      ) : (
        canAct &&
        job.state === 'dead' && (
          <Card title="Mark resolved">
            <form method="post" action={`/ui/jobs/${job.id}/resolve`}>
              <CsrfField session={session} />
              <label class="slds-form-element__label" for="reason">
                Why no retry is needed (e.g. fixed by hand in the vendor)
              </label>
              <textarea id="reason" name="reason" class="slds-textarea" maxlength={MAX_REASON} required></textarea>
              <button type="submit" class="slds-button slds-button_neutral slds-m-top_x-small">
                Mark resolved
              </button>
            </form>
          </Card>
        )
      )}
      {canAct && job.state === 'dead' && payload.flow !== undefined && (
        <EditPayload
          session={session}
          job={job}
          text={edit?.text ?? JSON.stringify(redact(payload.input ?? {}), null, 2)}
          error={edit?.error}
        />
      )}
      <Card title="Steps">
        <Table
          caption="Flow steps"
          headers={['Step', 'Status', 'Attempts', 'Updated', 'Error']}
          empty="No steps recorded (the job has not run a flow step yet)."
          rows={steps.map((s) => [s.step, <Badge status={s.status} />, s.attempts, s.updatedAt, s.error ?? ''])}
        />
      </Card>
      <Card title="Payload">
        <pre class="slds-text-font_monospace slds-text-body_small slds-scrollable">
          {JSON.stringify(redact(payload), null, 2)}
        </pre>
      </Card>
    </div>
  );
};

/** The edited input: JSON of an object, within the size bound; else what is wrong, in words. */
function parseEditedInput(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.length > MAX_EDITED_INPUT) return { ok: false, error: `At most ${MAX_EDITED_INPUT} characters.` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'The input must be a JSON object ({…}).' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export function jobRoutes(hub: HubContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.use('*', requireConsoleRole(...JOB_ROLES));

  app.get('/', async (c) => {
    const session = c.get('session');
    const filter = readFilter((name) => c.req.query(name));
    const [jobs, facets] = await Promise.all([
      searchJobs(hub.db, session.orgId, { ...filter, limit: 200 }),
      jobFacets(hub.db, session.orgId),
    ]);
    return c.html(
      page(
        <Shell title="Sync log" session={session} tab="jobs" notice={c.req.query('notice')}>
          <ListPage session={session} jobs={jobs} filter={filter} facets={facets} />
        </Shell>,
      ),
    );
  });

  const notFound = (c: Context<UiEnv>) =>
    c.html(
      page(
        <Shell title="Not found" session={c.get('session')} tab="jobs">
          <p>No such job in this org.</p>
        </Shell>,
      ),
      404,
    );

  async function detail(c: Context<UiEnv>, job: JobRow, edit?: { text: string; error: string }) {
    const session = c.get('session');
    const payload = payloadOf(job);
    const runId =
      payload.flow && payload.subjectId ? await findRun(hub.db, session.orgId, payload.flow, payload.subjectId) : null;
    const [resolution, steps] = await Promise.all([
      jobResolution(hub.db, session.orgId, job.id),
      runId ? stepsOfRun(hub.db, session.orgId, runId) : Promise.resolve([]),
    ]);
    return c.html(
      page(
        <Shell title="Sync log" session={session} tab="jobs" notice={c.req.query('notice')}>
          <DetailPage session={session} job={job} resolution={resolution} steps={steps} edit={edit} />
        </Shell>,
      ),
      edit ? 400 : 200,
    );
  }

  app.get('/:id', async (c) => {
    const job = await findJob(hub.db, c.get('session').orgId, c.req.param('id'));
    if (!job) return notFound(c);
    return detail(c, job);
  });

  app.post('/:id/edit', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    const job = await findJob(hub.db, session.orgId, id);
    if (!job) return notFound(c);
    const notEditable = (state: string) =>
      c.redirect(
        `/ui/jobs/${id}?notice=${encodeURIComponent(`Job ${id} is ${state}; only a dead flow job's payload can be edited.`)}`,
        303,
      );
    if (job.state !== 'dead' || payloadOf(job).flow === undefined) return notEditable(job.state);
    const text = (await formFields(c)).input ?? '';
    const parsed = parseEditedInput(text);
    if (!parsed.ok) return detail(c, job, { text, error: parsed.error });
    const result = await editDeadJobInput(hub, { orgId: session.orgId, actor: session.actor }, id, parsed.value);
    if (result.outcome === 'not_found') return notFound(c);
    if (result.outcome === 'not_editable') return notEditable(result.state);
    const notice =
      result.outcome === 'requeued' ? 'Payload saved; retrying now.' : 'Nothing changed: the job is no longer dead.';
    return c.redirect(`/ui/jobs/${id}?notice=${encodeURIComponent(notice)}`, 303);
  });

  app.post('/replay', async (c) => {
    const session = c.get('session');
    const body = await formFields(c);
    const filter = { ...readFilter((name) => body[name]), state: 'dead' as const };
    const { state: _dead, ...replayFilter } = filter;
    const replayed = await replayMatchingDeadJobs(
      hub,
      { orgId: session.orgId, actor: session.actor },
      replayFilter,
      filterFields(filter),
    );
    const notice =
      replayed.length === 0
        ? 'No dead job matches: nothing replayed.'
        : `Replayed ${replayed.length} dead job${replayed.length === 1 ? '' : 's'}.`;
    const back = new URLSearchParams({ ...filterFields({ ...filter, state: undefined }), notice });
    return c.redirect(`/ui/jobs?${back}`, 303);
  });

  app.get('/:id/status', async (c) => {
    const session = c.get('session');
    const job = await findJob(hub.db, session.orgId, c.req.param('id'));
    if (!job) return c.body(null, 404);
    const resolution = await jobResolution(hub.db, session.orgId, job.id);
    return c.html(<JobStatus job={job} resolved={resolution !== undefined} />);
  });

  app.post('/:id/replay', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    const replayed = await replayJob(hub.db, hub.clock, session.orgId, id);
    if (!replayed) {
      const existing = await findJob(hub.db, session.orgId, id);
      if (!existing) return notFound(c);
      const notice = `Job ${id} is ${existing.state}; only dead jobs can be retried.`;
      return c.redirect(`/ui/jobs/${id}?notice=${encodeURIComponent(notice)}`, 303);
    }
    // Retried, it is open again: an earlier "resolved" no longer describes it.
    await atomic(hub.db, [clearResolutionStatement(hub.db, session.orgId, id)]);
    await hub.driver.notify([replayed.id]);
    return c.redirect(`/ui/jobs/${id}?notice=${encodeURIComponent('Retrying now.')}`, 303);
  });

  app.post('/:id/resolve', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    if (!(await findJob(hub.db, session.orgId, id))) return notFound(c);
    const body = await formFields(c);
    const reason = (body.reason ?? '').trim();
    if (reason === '' || reason.length > MAX_REASON) {
      const notice = `Nothing changed: the reason must be 1 to ${MAX_REASON} characters.`;
      return c.redirect(`/ui/jobs/${id}?notice=${encodeURIComponent(notice)}`, 303);
    }
    const landed = await resolveDeadJob(hub.db, hub.clock.now().toISOString(), {
      orgId: session.orgId,
      jobId: id,
      reason,
      actor: session.actor,
    });
    const notice = landed ? 'Marked resolved.' : 'Nothing changed: only a dead job not yet resolved can be marked.';
    return c.redirect(`/ui/jobs/${id}?notice=${encodeURIComponent(notice)}`, 303);
  });

  return app;
}
