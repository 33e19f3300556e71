/**
 * The hub (or `npm run simulators`) as a real child process, for tests that kill it: started with
 * tsx, its output read line by line, waited on by what it prints (bounded), never by the clock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface Child {
  readonly process: ChildProcess;
  /** Every line printed so far (stdout and stderr). */
  readonly lines: string[];
  /** The first line (already printed or still to come) matching `pattern`; fails when the process ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has ended. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startChild(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      ended = true;
      for (const w of waiters) w();
      done(code);
    }),
  );
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
      for (const w of waiters) w();
    });
  }
  return {
    process: child,
    lines,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((done, fail) => {
        const check = () => {
          for (const line of lines) {
            const m = line.match(pattern);
            if (m) return finish(() => done(m));
          }
          if (ended) finish(() => fail(new Error(`process ended before ${pattern}:\n${lines.join('\n')}`)));
        };
        // A bound on the wait, not a pause: the test fails instead of hanging.
        const timer = setTimeout(
          () => finish(() => fail(new Error(`no ${pattern} within ${timeoutMs} ms:\n${lines.join('\n')}`))),
          timeoutMs,
        );
        const finish = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
    async kill(signal = 'SIGTERM') {
      if (!ended) child.kill(signal);
      await exited;
    },
  };
}

/**
 * Asks `probe` again until it answers true, at most `attempts` times, with a short pause between
 * tries (pacing for another process's work; the bound is what fails the test).
 */
export async function until(probe: () => Promise<boolean>, what: string, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not reached after ${attempts} tries`);
}
