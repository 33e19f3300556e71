import type { HubMode } from '../../adapters/hosts.js';
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
  /**
   * sandbox: vendors are the hub's simulators on loopback, and connections may name nothing else;
   * live: connections may name only the hosts each vendor documents (adapters/hosts.ts).
   */
  mode: HubMode;
  driver: JobDriver;
  /** Fetch for the hub's own vendor calls (OAuth token exchanges); the global fetch when absent. */
  fetch?: typeof fetch;
  adaptersFor(orgId: string): Promise<Outcome<AdapterSet>>;
  /** Forget the org's built adapters, so the next job builds them from the changed connections. */
  invalidateAdapters(orgId: string): void;
  /** Static files only the runtime can load; absent (e.g. in most tests), their routes answer 404. */
  assets?: HubAssets;
  /**
   * Signs the console's session cookies (HS256, src/http/ui/session.ts): HUB_SESSION_SECRET, or a
   * generated one in sandbox mode. Absent, the console (/ui) answers 503 and the API is unaffected.
   */
  sessionSecret?: string;
}

/**
 * Static files the hub serves itself, loaded the runtime's way: Node reads them from node_modules
 * (src/runtime/node-assets.ts), Workers imports them as Text modules (src/runtime/worker-assets.ts).
 */
export interface HubAssets {
  /** The SLDS stylesheet (salesforce-lightning-design-system.min.css of SLDS_VERSION); cached by the caller. */
  sldsCss(): string | Promise<string>;
  /** htmx (htmx.min.js of HTMX_VERSION, src/http/ui/assets.ts), the console's only script. */
  htmxJs?(): string | Promise<string>;
}

export type Role = 'admin' | 'finance' | 'sales_ops' | 'viewer';

export interface AppEnv {
  Variables: { orgId: string; role: Role; apiKeyId: string };
}
