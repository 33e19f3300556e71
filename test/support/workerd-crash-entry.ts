/**
 * The worker as the workerd crash sweep runs it (test/workerd-crash-sweep.test.ts): the deployed
 * worker (src/runtime/worker.ts, createWorker) with an injected clock and the flows' crash hooks.
 * At the armed point (counted over every invocation of this isolate: after a vendor write, before
 * or after a local commit) the isolate dies: from that instant nothing it does reaches D1, the
 * queue or a vendor again, the invocation that hit the point stops there, and every later request
 * is refused. The test then disposes the whole Miniflare instance (workerd goes away) and starts a
 * new one on the same D1 file. Bundled by wrangler like the real worker; never deployed.
 *
 * Control routes (this entry only): POST /__crash/arm {at, now} (at 0: count, never die),
 * POST /__crash/clock {now}, GET /__crash/state.
 */
import type { FlowHooks } from '../../flows/index.js';
import { ManualClock } from '../../src/domain/clock.js';
import { SimulatedCrash } from '../../src/jobs/types.js';
import type { D1Binding, QueueMessageBatch, WorkerExecutionContext, WorkerScheduledController } from '../../src/runtime/d1.js';
import { createWorker, type Env } from '../../src/runtime/worker.js';

const clock = new ManualClock('2026-03-02T09:00:00Z');
const crash = { armedAt: 0, seen: 0, dead: false, where: null as string | null };

class IsolateKilled extends Error {
  override name = 'IsolateKilled';
  constructor() {
    super(`the isolate was killed (${crash.where})`);
  }
}

/** Throws once the isolate is dead: every way out of it goes through here. */
function alive(): void {
  if (crash.dead) throw new IsolateKilled();
}

function point(where: string): void {
  alive();
  crash.seen += 1;
  if (crash.seen !== crash.armedAt) return;
  crash.dead = true;
  crash.where = `point ${crash.seen}: ${where}`;
  console.warn(`[crash] isolate killed at ${crash.where}`);
  throw new SimulatedCrash(`at ${crash.where}`);
}

const hooks: FlowHooks = {
  afterExternalWrite: (flow, step) => point(`after the vendor write of ${flow} › ${step}`),
  beforeCommit: (flow, unit) => point(`before the commit of ${flow} › ${unit}`),
  afterCommit: (flow, unit) => point(`after the commit of ${flow} › ${unit}`),
};

/**
 * The D1 binding, cut off at death: prepare, bind, every statement's execution and batch() check
 * first. A query already sent when the isolate died completes (it was committed just before); none
 * starts after. batch() gets D1's own statements back (Miniflare's batch wants its own objects).
 */
function cutOffD1(binding: D1Binding): D1Binding {
  const originals = new WeakMap<object, object>();
  const statement = (target: object): object => {
    const view = new Proxy(target, {
      get(t, property) {
        const value = Reflect.get(t, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          alive();
          const result = (value as (...a: unknown[]) => unknown).apply(t, args);
          return property === 'bind' ? statement(result as object) : result;
        };
      },
    });
    originals.set(view, target);
    return view;
  };
  return {
    prepare(query) {
      alive();
      return statement(binding.prepare(query) as object);
    },
    batch(statements) {
      alive();
      return binding.batch(statements.map((s) => originals.get(s as object) ?? s));
    },
    exec(query) {
      alive();
      return binding.exec(query);
    },
  };
}

const realFetch = globalThis.fetch.bind(globalThis);
const guardedFetch: typeof fetch = (input, init) => {
  alive();
  return realFetch(input, init);
};
// SDKs that take no fetch of their own use the global one.
globalThis.fetch = guardedFetch;

const worker = createWorker({ clock, hooks, database: cutOffD1, fetch: guardedFetch });

/** The env with its queue cut off too (one per env object: the worker builds its runtime per env). */
const guardedEnvs = new WeakMap<Env, Env>();
function guarded(env: Env): Env {
  let g = guardedEnvs.get(env);
  if (!g) {
    const queue = env.JOBS;
    g = {
      ...env,
      JOBS: {
        send: (body, options) => (alive(), queue.send(body, options)),
        sendBatch: (messages) => (alive(), queue.sendBatch(messages)),
      },
    };
    guardedEnvs.set(env, g);
  }
  return g;
}

async function control(request: Request, path: string): Promise<Response> {
  if (path === '/__crash/state') return Response.json({ ...crash, now: clock.now().toISOString() });
  const body = (await request.json()) as { at?: number; now?: string };
  if (body.now) clock.set(body.now);
  if (path === '/__crash/arm') {
    crash.armedAt = body.at ?? 0;
    crash.seen = 0;
  }
  return Response.json({ ...crash, now: clock.now().toISOString() });
}

export default {
  async fetch(request: Request, env: Env, ctx: WorkerExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/__crash/')) return control(request, path);
    // A dead process refuses connections: the caller (a webhook sender) sees a failure and retries.
    if (crash.dead) return new Response('the hub is down', { status: 503 });
    return worker.fetch(request, guarded(env), ctx);
  },
  async queue(batch: QueueMessageBatch<unknown>, env: Env, ctx: WorkerExecutionContext): Promise<void> {
    alive();
    await worker.queue(batch, guarded(env), ctx);
  },
  async scheduled(controller: WorkerScheduledController, env: Env, ctx: WorkerExecutionContext): Promise<void> {
    alive();
    await worker.scheduled(controller, guarded(env), ctx);
  },
};
