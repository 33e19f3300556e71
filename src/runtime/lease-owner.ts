/**
 * Lease owners on Node: `node:<host>:<pid>`. A lease holder is gone when it names this host and
 * its pid is no longer a live process (signal 0 probes without signalling). Another host's
 * owner, or one that does not parse, is never judged gone: its lease is left to expire.
 * https://nodejs.org/api/process.html#processkillpid-signal
 */
import { hostname } from 'node:os';

export function nodeLeaseOwner(pid = process.pid, host = hostname()): string {
  return `node:${host}:${pid}`;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else — alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isLeaseOwnerGone(owner: string, host = hostname(), alive = isProcessAlive): boolean {
  const m = /^node:(.+):(\d+)$/.exec(owner);
  if (!m || m[1] !== host) return false;
  return !alive(Number(m[2]));
}
