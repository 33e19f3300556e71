import type { AdapterSet } from '../../flows/types.js';
import type { Db } from '../db/client.js';
import type { SecretKey } from '../db/secrets.js';
import type { Clock } from '../domain/clock.js';
import type { Outcome } from '../domain/outcome.js';
import type { JobDriver } from '../jobs/types.js';

/** What the HTTP layer needs from the hub; runtime-neutral. */
export interface HubContext {
  db: Db;
  clock: Clock;
  encryptionKey: SecretKey;
  driver: JobDriver;
  /** Fetch for the hub's own vendor calls (OAuth token exchanges); the global fetch when absent. */
  fetch?: typeof fetch;
  adaptersFor(orgId: string): Promise<Outcome<AdapterSet>>;
  /** Forget the org's built adapters, so the next job builds them from the changed connections. */
  invalidateAdapters(orgId: string): void;
}

export type Role = 'admin' | 'finance' | 'sales_ops' | 'viewer';

export interface AppEnv {
  Variables: { orgId: string; role: Role; apiKeyId: string };
}
