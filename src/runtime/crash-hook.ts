/**
 * A test switch for the crash sweep on a real process: HUB_CRASH_AFTER_WRITE=n makes the hub
 * kill itself (SIGKILL: no exit handlers, no flush, as a power cut) right after the n-th vendor
 * write its flows make, before the step's commit — the point where a lost write would duplicate
 * at the vendor on retry. Unset (always, outside tests), there is no hook.
 */
import type { FlowHooks } from '../../flows/index.js';

export function crashHookFromEnv(env: Record<string, string | undefined> = process.env): FlowHooks | undefined {
  const n = Number.parseInt(env.HUB_CRASH_AFTER_WRITE ?? '', 10);
  if (!Number.isSafeInteger(n) || n < 1) return undefined;
  let seen = 0;
  return {
    afterExternalWrite: (flow, step) => {
      seen += 1;
      if (seen !== n) return;
      process.stdout.write(`crash: after write ${n} (${flow} › ${step})\n`);
      process.kill(process.pid, 'SIGKILL');
    },
  };
}
