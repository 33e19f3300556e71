/**
 * The hub on Cloudflare Workers: `fetch` (the Hono app, plus the sandbox setup route),
 * `queue` (job notifications and their dead letters) and `scheduled` (the cron sweep of due
 * jobs). Bindings are declared in wrangler.toml. Workers-only: no better-sqlite3, no node:fs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { runScheduledBilling } from '../../flows/billing-run/jobs.js';
import { pollCrms } from '../../flows/crm-poll/index.js';
import { runFinalizeSweep } from '../../flows/finalize-sweep.js';
import type { FlowHooks } from '../../flows/index.js';
import { reconcilePayments } from '../../flows/index.js';
import { nightlyDue, runNightlyReconciliation } from '../../flows/reconciliation.js';
import { importEncryptionKey, type SecretKey } from '../db/secrets.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { sandboxRoutes } from '../http/routes/sandbox.js';
import { createHub, type Hub } from '../hub.js';
import {
  CloudflareJobDriver,
  type ConsumerDeps,
  consumeDeadLetters,
  consumeJobBatch,
  type JobMessage,
  sweepDueJobs,
} from '../jobs/cloudflare-driver.js';
import {
  type D1Binding,
  openD1,
  type QueueBinding,
  type QueueMessageBatch,
  type WorkerExecutionContext,
  type WorkerScheduledController,
} from './d1.js';
import { D1_LIMITS } from './d1-limits.js';
import { workerAssets } from './worker-assets.js';

export interface Env {
  DB: D1Binding;
  JOBS: QueueBinding<JobMessage>;
  /** "sandbox" (set in wrangler.toml) or "live"; anything but "sandbox" is treated as live. */
  HUB_MODE?: string;
  /** Secret: `wrangler secret put HUB_ENCRYPTION_KEY` (32 bytes, base64). */
  HUB_ENCRYPTION_KEY?: string;
  /** Secret: `wrangler secret put HUB_SESSION_SECRET` (signs console sessions; without it live, /ui answers 503). */
  HUB_SESSION_SECRET?: string;
  /** D1 queries per invocation of the account's plan: 1000 (Workers Paid, the default) or 50 (Free). */
  HUB_D1_QUERIES_PER_INVOCATION?: string;
}

/** The plan's per-invocation query limit, from HUB_D1_QUERIES_PER_INVOCATION (a whole number ≥ 50), else Paid's. */
function queriesPerInvocation(env: Env): number {
  const set = Number(env.HUB_D1_QUERIES_PER_INVOCATION);
  return Number.isInteger(set) && set >= 50 ? set : D1_LIMITS.queriesPerInvocation;
}

/**
 * The console's session secret. Sandbox without one: a random secret per isolate (sessions end when
 * the isolate does, fine for a local sandbox); live without one: none, and the console is disabled.
 */
function sessionSecret(env: Env): string | undefined {
  if (env.HUB_SESSION_SECRET) return env.HUB_SESSION_SECRET;
  if (!isSandbox(env)) return undefined;
  console.warn('[hub] HUB_SESSION_SECRET is not set: console sessions use a per-isolate secret (sandbox only)');
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const DEAD_LETTER_QUEUE = 'hub-jobs-dlq';

interface Runtime {
  hub: Hub;
  consumer: ConsumerDeps;
  sandbox: ReturnType<typeof sandboxRoutes>;
}

/**
 * One invocation of the worker (a fetch, a queue batch, a cron run): D1 counts its queries against
 * the per-invocation limit (src/runtime/d1-limits.ts). A fetch keeps its execution context, so
 * notifications can use waitUntil; queue and cron invocations await their sends.
 */
interface Invocation {
  kind: 'fetch' | 'queue' | 'scheduled';
  ctx?: WorkerExecutionContext;
}
const currentInvocation = new AsyncLocalStorage<Invocation>();

/**
 * Budgets of one invocation's D1 queries, as shares of the plan's limit (1,000 on Workers Paid:
 * 300, 500 and 200). A job is started only while its invocation has more than JOB_RESERVE left,
 * so the job's own queries (a flow run is a few dozen) fit; the cron sweep stops claiming while
 * CRON_RESERVE is left for the schedules that follow it in the same invocation (billing, finalize
 * sweep, pollers, reconciler). A billing run writes a chunk of 100 contracts (a handful of
 * statements) only while more than BILLING_RESERVE is left, for the chunk and the job's end; else it
 * pauses and goes on in a job of its own, i.e. a new invocation (flows/billing-run/jobs.ts).
 */
const JOB_RESERVE = 0.3;
const CRON_RESERVE = 0.5;
const BILLING_RESERVE = 0.2;

/**
 * What the worker is built with. The deployed worker uses the defaults; the workerd crash sweep
 * (test/support/workerd-crash-entry.ts) wraps it with an injected clock, crash hooks, and a D1
 * binding and fetch it can cut off when it "kills" the isolate.
 */
export interface WorkerOptions {
  clock?: Clock;
  hooks?: FlowHooks;
  /** Wraps the D1 binding before the hub opens it. */
  database?: (binding: D1Binding) => D1Binding;
  /** Fetch used by adapters whose SDK accepts one. */
  fetch?: typeof fetch;
}

function isSandbox(env: Env): boolean {
  return env.HUB_MODE === 'sandbox';
}

async function encryptionKey(env: Env): Promise<SecretKey> {
  if (env.HUB_ENCRYPTION_KEY) return importEncryptionKey(env.HUB_ENCRYPTION_KEY);
  if (!isSandbox(env)) {
    throw new Error('HUB_ENCRYPTION_KEY is not set: run `wrangler secret put HUB_ENCRYPTION_KEY` (live mode)');
  }
  console.warn(
    '[hub] HUB_ENCRYPTION_KEY is not set: using a fixed development key (sandbox only; never store real credentials)',
  );
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('cpq-to-cash-hub sandbox dev key'));
  return crypto.subtle.importKey('raw', digest, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** The worker's three handlers, built once per isolate and env. */
export function createWorker(options: WorkerOptions = {}) {
  const runtimes = new WeakMap<Env, Promise<Runtime>>();
  /** D1 queries per invocation so far (counted by the limit wrapper, read to bound the work). */
  const queryCounts = new WeakMap<object, number>();
  /** The share of the plan's queries still left in this invocation (1 outside any). */
  let limit: number = D1_LIMITS.queriesPerInvocation;
  const shareLeft = () => {
    const invocation = currentInvocation.getStore();
    return 1 - (invocation ? (queryCounts.get(invocation) ?? 0) : 0) / limit;
  };

  async function build(env: Env): Promise<Runtime> {
    // Every invocation's queries count against D1's per-invocation limit: requests, queue batches and cron runs.
    const binding = options.database ? options.database(env.DB) : env.DB;
    limit = queriesPerInvocation(env);
    const db = openD1(binding, {
      invocation: () => currentInvocation.getStore(),
      counts: queryCounts,
      queriesPerInvocation: limit,
    });
    const clock = options.clock ?? systemClock;
    const secret = sessionSecret(env);
    const hub = createHub({
      db,
      clock,
      encryptionKey: await encryptionKey(env),
      mode: isSandbox(env) ? 'sandbox' : 'live',
      assets: workerAssets,
      ...(secret ? { sessionSecret: secret } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      billingBudget: () => shareLeft() > BILLING_RESERVE,
    });
    hub.attachDriver(
      new CloudflareJobDriver({
        queue: env.JOBS,
        defer: () => {
          const ctx = currentInvocation.getStore()?.ctx;
          return ctx ? (promise) => ctx.waitUntil(promise) : undefined;
        },
      }),
    );
    return {
      hub,
      consumer: { db, clock, process: hub.processDeps, queue: env.JOBS },
      sandbox: sandboxRoutes(hub.context, { enabled: isSandbox(env) }),
    };
  }

  function runtimeFor(env: Env): Promise<Runtime> {
    let runtime = runtimes.get(env);
    if (!runtime) {
      runtime = build(env);
      runtime.catch(() => runtimes.delete(env));
      runtimes.set(env, runtime);
    }
    return runtime;
  }

  return {
    async fetch(request: Request, env: Env, ctx: WorkerExecutionContext): Promise<Response> {
      const runtime = await runtimeFor(env);
      const { pathname } = new URL(request.url);
      return currentInvocation.run({ kind: 'fetch', ctx }, () => {
        if (pathname === '/sandbox' || pathname.startsWith('/sandbox/')) {
          const inner = new Request(new URL(pathname.slice('/sandbox'.length) || '/', request.url), request);
          return runtime.sandbox.fetch(inner);
        }
        return runtime.hub.app.fetch(request);
      });
    },

    async queue(batch: QueueMessageBatch<unknown>, env: Env, _ctx: WorkerExecutionContext): Promise<void> {
      const runtime = await runtimeFor(env);
      await currentInvocation.run({ kind: 'queue' }, async () => {
        if (batch.queue === DEAD_LETTER_QUEUE) {
          const marked = await consumeDeadLetters(batch, runtime.consumer);
          if (marked > 0) console.warn(`[jobs] ${marked} job(s) marked dead from ${DEAD_LETTER_QUEUE}`);
          return;
        }
        const { deferred } = await consumeJobBatch(batch, runtime.consumer, {
          mayContinue: () => shareLeft() > JOB_RESERVE,
        });
        if (deferred > 0) console.warn(`[jobs] ${deferred} job(s) sent to the next invocation (D1 query budget)`);
      });
    },

    async scheduled(controller: WorkerScheduledController, env: Env, _ctx: WorkerExecutionContext): Promise<void> {
      const runtime = await runtimeFor(env);
      await currentInvocation.run({ kind: 'scheduled' }, async () => {
        await sweepDueJobs(runtime.consumer, {
          batchSize: 5,
          mayContinue: () => shareLeft() > CRON_RESERVE + JOB_RESERVE,
        });
        // The cron fires every minute; bill every org through today once an hour (like Node). A
        // missed hour is caught up by the next: a run bills every period due so far, never twice.
        const minute = new Date(controller.scheduledTime).getUTCMinutes();
        // A run that would leave less than CRON_RESERVE pauses and goes on as a job.
        if (minute === 0) {
          await runScheduledBilling({ ...runtime.hub.context, mayContinue: () => shareLeft() > CRON_RESERVE });
        }
        // Auto-finalize every minute: drafts whose grace period has passed (flows/finalize-sweep.ts).
        await runFinalizeSweep(runtime.hub.context);
        // CRM pollers (the webhooks' safety net) every 5 minutes.
        if (minute % 5 === 0) await pollCrms(runtime.hub.context);
        // The payment reconciler (the payment webhooks' safety net) on the same 5-minute beat.
        if (minute % 5 === 2) await reconcilePayments(runtime.hub.context);
        // Nightly reconciliation (flows/reconciliation.ts): once, at half past the nightly hour.
        if (minute === 30 && nightlyDue(new Date(controller.scheduledTime))) {
          await runNightlyReconciliation(runtime.hub.context);
        }
      });
    },
  };
}

export default createWorker();
