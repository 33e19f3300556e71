/**
 * The hub under workerd for the end-to-end test: the worker is bundled exactly as `wrangler
 * deploy` would bundle it (`--dry-run --outdir`), then run by Miniflare with the bindings
 * wrangler derives from wrangler.toml (D1, the two queues and their consumers, vars). The
 * D1 database starts empty and gets the same drizzle-kit migrations Node applies.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { migrationStatements } from '../../src/runtime/d1.js';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MIGRATIONS_DIR = join(ROOT, 'src/db/migrations');
const WRANGLER_BIN = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');

/** No banner (it asks the registry for updates) and no telemetry: the test stays on loopback. */
const WRANGLER_ENV = {
  ...process.env,
  WRANGLER_HIDE_BANNER: 'true',
  WRANGLER_SEND_METRICS: 'false',
  CI: 'true',
  NO_COLOR: '1',
};

export interface WorkerdHub {
  mf: Miniflare;
  url: string;
  /** Runs the worker's `scheduled` handler once, in a minute that only sweeps due jobs (no CRM poll, no billing). */
  sweep(): Promise<void>;
  /** Puts a message on `hub-jobs-dlq`, as Queues does after a message exhausted its retries. */
  sendToDeadLetters(jobId: string): Promise<void>;
  /** Rows of a D1 table, optionally filtered by one column's value (e.g. what an inbox holds). */
  countRows(table: string, where?: { column: string; value: string }): Promise<number>;
  close(): Promise<void>;
}

/**
 * Bundles the worker with wrangler's own esbuild settings (nodejs_compat included): wrangler.toml's
 * `main` (src/runtime/worker.ts), or another entry that wraps it (the crash sweep's).
 */
async function bundleWorker(outDir: string, entry?: string): Promise<string> {
  const args = [WRANGLER_BIN, 'deploy', '--dry-run', '--outdir', outDir, '--config', 'wrangler.toml'];
  await run(process.execPath, entry ? [...args, entry] : args, {
    cwd: ROOT,
    env: WRANGLER_ENV,
    timeout: 90_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [script] = readdirSync(outDir).filter((f) => f.endsWith('.js') && !f.endsWith('.min.js'));
  if (!script) throw new Error(`wrangler wrote no script to ${outDir}`);
  return join(outDir, script);
}

/** A bundled worker, to start (and, with a persisted D1, restart) as often as a test needs. */
export interface WorkerBundle {
  dir: string;
  scriptPath: string;
  remove(): void;
}

export async function bundle(entry?: string): Promise<WorkerBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-workerd-'));
  try {
    const scriptPath = await bundleWorker(dir, entry);
    return { dir, scriptPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function applyMigrations(mf: Miniflare): Promise<void> {
  const d1 = await mf.getD1Database('DB');
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  for (const file of files) {
    const statements = migrationStatements(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
    await d1.batch(statements.map((s) => d1.prepare(s)));
  }
}

export async function startWorkerd(): Promise<WorkerdHub> {
  const built = await bundle();
  try {
    const hub = await startBundle(built, { migrate: true });
    return {
      ...hub,
      async close() {
        await hub.close();
        built.remove();
      },
    };
  } catch (error) {
    built.remove();
    throw error;
  }
}

/**
 * Starts a bundled worker under Miniflare. With `d1Persist` its D1 database is a SQLite file in that
 * folder, kept after close(): a new instance on the same folder finds what the last one committed
 * (the crash sweep's restart). `migrate` applies the migrations (a fresh database only).
 */
export async function startBundle(
  built: WorkerBundle,
  options: { migrate: boolean; d1Persist?: string; vars?: Record<string, string> },
): Promise<WorkerdHub> {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, 'wrangler.toml'));
  const mf = new Miniflare({
    ...workerOptions,
    // Vars on top of wrangler.toml's, as `wrangler deploy --var` would set them.
    ...(options.vars ? { bindings: { ...workerOptions.bindings, ...options.vars } } : {}),
    name: 'cpq-to-cash-hub',
    modules: true,
    scriptPath: built.scriptPath,
    modulesRoot: built.dir,
    // A test-only producer for the dead letter queue (the worker itself never sends there).
    queueProducers: { ...workerOptions.queueProducers, TEST_DLQ: { queueName: 'hub-jobs-dlq' } },
    ...(options.d1Persist ? { d1Persist: options.d1Persist } : {}),
    host: '127.0.0.1',
    port: 0,
    log: new Log(LogLevel.WARN),
  } as ConstructorParameters<typeof Miniflare>[0]);
  let url: URL;
  try {
    url = await mf.ready;
    if (options.migrate) await applyMigrations(mf);
  } catch (error) {
    await mf.dispose();
    throw error;
  }
  return {
    mf,
    url: url.origin,
    async sweep() {
      // The handler also runs the CRM pollers when the minute is a multiple of 5 (and billing at
      // minute 0): a sweep in such a minute is moved one minute back, so it only runs due jobs
      // and a test's deals are started by what the test sends, not by when it ran.
      const scheduledTime = new Date();
      if (scheduledTime.getUTCMinutes() % 5 === 0) scheduledTime.setUTCMinutes(scheduledTime.getUTCMinutes() - 1);
      const worker = await mf.getWorker();
      await worker.scheduled({ cron: '* * * * *', scheduledTime });
    },
    async sendToDeadLetters(jobId) {
      const dlq = await mf.getQueueProducer<{ jobId: string }>('TEST_DLQ');
      await dlq.send({ jobId });
    },
    async countRows(table, where) {
      const identifier = /^[a-z_]+$/;
      if (!identifier.test(table) || (where && !identifier.test(where.column))) {
        throw new Error(`not a table or column name: ${table} ${where?.column ?? ''}`);
      }
      const d1 = await mf.getD1Database('DB');
      const query = where
        ? d1.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where.column} = ?`).bind(where.value)
        : d1.prepare(`SELECT count(*) AS n FROM ${table}`);
      return ((await query.first<{ n: number }>()) ?? { n: 0 }).n;
    },
    async close() {
      await mf.dispose();
    },
  };
}
