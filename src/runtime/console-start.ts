/**
 * The console's part of `npm start` (src/runtime/node.ts): the secret that signs its sessions, and the
 * banner lines with its URL and a one-time sign-in link for the demo org.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from '../db/client.js';
import { createInvitation } from '../db/repos/console-invitations.js';
import { generateUrlToken } from '../db/secrets.js';
import type { Clock } from '../domain/clock.js';

/** How long the printed sign-in link works (it works once). */
const DEMO_LINK_TTL_MS = 24 * 60 * 60_000;

/**
 * HUB_SESSION_SECRET, or in sandbox mode one generated once and kept beside the database. Live
 * without it: undefined, and the console answers 503 saying what to set.
 */
export function consoleSessionSecret(dataDir: string, sandbox: boolean): string | undefined {
  if (process.env.HUB_SESSION_SECRET) return process.env.HUB_SESSION_SECRET;
  if (!sandbox) return undefined;
  const file = resolve(dataDir, 'sandbox-session-secret');
  if (!existsSync(file)) writeFileSync(file, generateUrlToken(), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Prints the console URL and a one-time admin sign-in link for the org. */
export async function printConsoleSignIn(db: Db, clock: Clock, baseUrl: string, orgId: string): Promise<void> {
  const now = clock.now();
  const { token } = await createInvitation(db, now.toISOString(), {
    orgId,
    role: 'admin',
    label: 'Demo admin',
    createdBy: 'npm start',
    expiresAt: new Date(now.getTime() + DEMO_LINK_TTL_MS).toISOString(),
  });
  console.log(`  admin console:    ${baseUrl}/ui  (sign in with the API key above, or once with the link below)
  one-time sign-in: ${baseUrl}/ui/invite/${token}  (works once, for 24 hours)`);
}
