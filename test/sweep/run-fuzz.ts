/**
 * `npm run fuzz -- --runs 100000 [--seed N]`: the fuzz sweep's long run, for use before a release.
 * The same suite `npm test` runs, with more requests per route (FUZZ_RUNS) and an optional seed.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const env = {
  ...process.env,
  FUZZ_RUNS: option('runs') ?? '5000',
  ...(option('seed') ? { FUZZ_SEED: option('seed') } : {}),
};
const result = spawnSync('npx', ['vitest', 'run', 'test/sweep/fuzz.test.ts', '--testTimeout=0'], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
