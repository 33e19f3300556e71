import type { AppEnv, Role } from '../context.js';

export interface ConsoleSession {
  orgId: string;
  role: Role;
  /** The API key id or invitation id the session was started with (the audit log's actor). */
  actor: string;
  via: 'api_key' | 'invitation';
  /** Who is signed in, for the header ("API key hub_1a2b… (admin)"). */
  label: string;
  csrf: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** The console's Hono env: the API's variables (org, role, actor) plus the session they came from. */
export interface UiEnv {
  Variables: AppEnv['Variables'] & { session: ConsoleSession };
}
