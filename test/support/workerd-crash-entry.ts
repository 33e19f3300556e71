/**
 * The worker as the workerd crash sweep runs it (test/workerd-crash-sweep.test.ts): the deployed
 * worker (src/runtime/worker.ts, createWorker) with an injected clock and the flows' crash hooks.
 * At the armed point (counted over every invocation of this isolate: after a vendor write, before
 * or after a local commit) the hub dies: from that instant nothing it does reaches D1, the queue
 * or a vendor again, the invocation that hit the point stops there, and every later request is
 * refused by that life of the hub. The next event starts a new life (a new generation: a new
 * worker, as Workers starts a new isolate after one died), while everything the dead one still
 * had in flight stays cut off for good; Queues redelivers what it never acknowledged. Armed with
 * `stayDead`, the hub stays down instead, and the test disposes the whole Miniflare instance
 * (workerd, and its in-memory queue with it) and starts a new one on the same D1 file.
 * Bundled by wrangler like the real worker; never deployed.
 *
 * Control routes (this entry only): POST /__crash/arm {at, now, stayDead} (at 0: count, never die),
 * POST /__crash/clock {now}, GET /__crash/state.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FlowHooks } from '../../flows/index.js';
import { ManualClock } from '../../src/domain/clock.js';
import { SimulatedCrash } from '../../src/jobs/types.js';
import type {
  D1Binding,
  QueueMessageBatch,
  WorkerExecutionContext,
  WorkerScheduledController,
} from '../../src/runtime/d1.js';
import { createWorker, type Env } from '../../src/runtime/worker.js';

const clock = new ManualClock('2026-03-02T09:00:00Z');
/** Crash points counted since the last arm, over every generation. */
const crash = { armedAt: 0, seen: 0 };

/**
 * One life of the hub in this isolate: a worker of its own (createWorker: new runtime, new caches).
 * Each invocation runs in its generation's scope, so even the global fetch knows whose call it is.
 */
interface Generation {
  dead: boolean;
  where: string | null;
  worker: ReturnType<typeof createWorker>;
  envs: WeakMap<Env, Env>;
}
const scope = new AsyncLocalStorage<Generation>();

class IsolateKilled extends Error {
  override name = 'IsolateKilled';
  constructor(g: Generation) {
    super(`the isolate was killed (${g.where})`);
  }
}

/** Throws once the generation is dead: every way out of it goes through here. */
function alive(g: Generation | undefined): void {
  if (g?.dead) throw new IsolateKilled(g);
}

function point(g: Generation, where: string): void {
  alive(g);
  crash.seen += 1;
  if (crash.seen !== crash.armedAt) return;
  g.dead = true;
  g.where = `point ${crash.seen}: ${where}`;
  console.warn(`[crash] isolate killed at ${g.where}`);
  throw new SimulatedCrash(`at ${g.where}`);
}

const hooksOf = (g: Generation): FlowHooks => ({
  afterExternalWrite: (flow, step) => point(g, `after the vendor write of ${flow} › ${step}`),
  beforeCommit: (flow, unit) => point(g, `before the commit of ${flow} › ${unit}`),
  afterCommit: (flow, unit) => point(g, `after the commit of ${flow} › ${unit}`),
});

/**
 * The D1 binding, cut off at death: prepare, bind, every statement's execution and batch() check
 * first. A query already sent when the isolate died completes (it was committed just before); none
 * starts after. batch() gets D1's own statements back (Miniflare's batch wants its own objects).
 */
function cutOffD1(binding: D1Binding, g: Generation): D1Binding {
  const originals = new WeakMap<object, object>();
  const statement = (target: object): object => {
    const view = new Proxy(target, {
      get(t, property) {
        const value = Reflect.get(t, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          alive(g);
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
      alive(g);
      return statement(binding.prepare(query) as object);
    },
    batch(statements) {
      alive(g);
      return binding.batch(statements.map((s) => originals.get(s as object) ?? s));
    },
    exec(query) {
      alive(g);
      return binding.exec(query);
    },
  };
}

const realFetch = globalThis.fetch.bind(globalThis);
/** Vendor calls: refused for a dead generation (SDKs without a fetch option use the global one). */
const guardedFetch: typeof fetch = (input, init) => {
  alive(scope.getStore());
  return realFetch(input, init);
};
globalThis.fetch = guardedFetch;

function newGeneration(): Generation {
  const g = { dead: false, where: null, envs: new WeakMap() } as unknown as Generation;
  g.worker = createWorker({ clock, hooks: hooksOf(g), database: (b) => cutOffD1(b, g), fetch: guardedFetch });
  return g;
}
let current = newGeneration();
/** Where each dead generation died, oldest first. */
const deaths: string[] = [];
/** Armed with `stayDead`, a dead hub stays down until the test disposes workerd (POST /__crash/arm resets it). */
let stayDead = false;

/**
 * The generation an invocation runs in. After a death, Workers starts the next event in a new
 * isolate: so does this, unless the test keeps the hub down to dispose workerd itself.
 */
function live(): Generation | undefined {
  if (current.dead) {
    if (!deaths.includes(current.where!)) deaths.push(current.where!);
    if (stayDead) return undefined;
    current = newGeneration();
  }
  return current;
}

/** The env with its queue cut off too (one per env object: the worker builds its runtime per env). */
function envOf(g: Generation, env: Env): Env {
  let e = g.envs.get(env);
  if (!e) {
    const queue = env.JOBS;
    e = {
      ...env,
      JOBS: {
        send: async (body, options) => {
          alive(g);
          await queue.send(body, options);
        },
        sendBatch: async (messages) => {
          alive(g);
          await queue.sendBatch(messages);
        },
      },
    };
    g.envs.set(env, e);
  }
  return e;
}

const stateOf = () => {
  if (current.dead && !deaths.includes(current.where!)) deaths.push(current.where!);
  return { ...crash, deaths, now: clock.now().toISOString() };
};

async function control(request: Request, path: string): Promise<Response> {
  if (path === '/__crash/state') return Response.json(stateOf());
  const body = (await request.json()) as { at?: number; now?: string; stayDead?: boolean };
  if (body.now) clock.set(body.now);
  if (path === '/__crash/arm') {
    crash.armedAt = body.at ?? 0;
    crash.seen = 0;
    stayDead = body.stayDead ?? false;
  }
  return Response.json(stateOf());
}

export default {
  async fetch(request: Request, env: Env, ctx: WorkerExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/__crash/')) return control(request, path);
    const g = live();
    // A dead process refuses connections: the caller (a webhook sender) sees a failure and retries.
    if (!g) return new Response('the hub is down', { status: 503 });
    return scope.run(g, () => g.worker.fetch(request, envOf(g, env), ctx));
  },
  async queue(batch: QueueMessageBatch<unknown>, env: Env, ctx: WorkerExecutionContext): Promise<void> {
    const g = live();
    // Down for good (the test is about to dispose workerd): the delivery fails, nothing is written.
    if (!g) throw new Error('the hub is down');
    await scope.run(g, () => g.worker.queue(batch, envOf(g, env), ctx));
  },
  async scheduled(controller: WorkerScheduledController, env: Env, ctx: WorkerExecutionContext): Promise<void> {
    const g = live();
    if (!g) return; // a missed cron minute
    await scope.run(g, () => g.worker.scheduled(controller, envOf(g, env), ctx));
  },
};
