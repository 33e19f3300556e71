/**
 * The one shape every vendor folder exports from its `index.ts`: what the vendor is, which port
 * it implements, what a connection to it must hold, how to build its adapter, how to read its
 * failures, its inbound side (webhooks, OAuth) where it has one, and its simulator.
 *
 * The registry (registry.ts) is a plain list of these; nothing outside a vendor's folder needs to
 * know the vendor's internals.
 */
import { z } from 'zod';
import type { Failure } from '../src/domain/outcome.js';
import type {
  ConnectionMaterial,
  CrmVendor,
  ErpVendor,
  PaymentVendor,
  TaxVendor,
  Vendor,
} from '../src/domain/vendors.js';
import type { CrmWebhookEndpoint, PaymentWebhookEndpoint } from './inbound.js';
import type { VendorOAuth } from './oauth-connect.js';
import type { CrmPort, ErpPort, PaymentPort, TaxPort } from './ports.js';

/** The port each kind of vendor implements. */
export interface PortsByKind {
  crm: CrmPort;
  tax: TaxPort;
  payment: PaymentPort;
  erp: ErpPort;
}
export type PortKind = keyof PortsByKind;

/** The vendor union of each port (src/domain/vendors.ts): a module's id must be in its port's. */
export interface VendorsByKind {
  crm: CrmVendor;
  tax: TaxVendor;
  payment: PaymentVendor;
  erp: ErpVendor;
}

/** The port a vendor implements, from its id. */
export type KindOf<V extends Vendor> = { [K in PortKind]: V extends VendorsByKind[K] ? K : never }[PortKind];
export type PortOf<V extends Vendor> = PortsByKind[KindOf<V>];

export interface BuildContext {
  now: () => Date;
  fetch?: typeof fetch;
  /**
   * Called when an adapter obtained new credentials (a refreshed access token) so they can be
   * stored, encrypted, for the next run. Fire-and-forget: the adapter goes on with the token in
   * memory whatever happens to the write; the caller logs failures.
   */
  onSecretsRefreshed?: (vendor: Vendor, secrets: Record<string, string>) => void;
}

/** The hosts a connection to the vendor may make the hub call (live mode; checked by hosts.ts). */
export interface VendorHosts {
  /** Config keys whose value is a URL the adapter calls. */
  readonly urlKeys: readonly string[];
  /** Exact host names, or suffixes starting with "." (any subdomain). */
  readonly hosts: readonly string[];
}

/** How a vendor's failures are sorted and read (its errors.ts). */
export interface VendorErrors {
  /**
   * The adapter's classifier: what the vendor answered (an SDK error, a response) into retryable,
   * permanent, indeterminate or needs-a-reconnect. Its inputs are the vendor's own, so only the
   * adapter calls it; it is named here so every vendor shows where its sorting lives.
   */
  classify(vendorAnswer: never, ...context: never[]): Failure | undefined;
  /**
   * The reason to show on the connection when `failure` means its credentials no longer work
   * (only a person reconnecting helps); undefined for any other failure, and for another
   * vendor's. The reason may arrive behind the flow runner's "flow › step: " prefix.
   */
  needsReconnect(failure: Failure): string | undefined;
}

/** Connection keys as stored: every config and secret value is a string. */
export type StringRecordSchema = z.ZodType<Record<string, unknown>>;

/** A config or secret key the adapter reads when present. */
export const optionalKey = z.string().optional();

/** A secret the vendor's adapter cannot be built without. */
export const requiredSecret = (vendor: Vendor) => z.string({ error: `required for ${vendor}` });

export interface VendorModule<K extends PortKind = PortKind> {
  id: VendorsByKind[K];
  port: K;
  /**
   * The connection config keys the adapter reads. Partial on purpose: a reconnect merges a config
   * patch over the stored one, so each key is checked when present; unknown keys pass through.
   */
  config: StringRecordSchema;
  /** The secrets the adapter cannot be built without, and those it uses when present. */
  secrets: StringRecordSchema;
  /**
   * The config key naming the vendor account, for vendors whose account id the hub does not learn
   * from a token response (Salesforce's comes from the OAuth identity URL): unique across orgs.
   */
  accountConfigKey?: string;
  /** Where the vendor lives: the allow-list its connections' URLs are checked against. */
  hosts: VendorHosts;
  createAdapter(material: ConnectionMaterial, ctx: BuildContext): PortsByKind[K];
  errors: VendorErrors;
  /** Inbound webhook endpoints, mounted under /webhooks/<id> (src/http/routes/webhooks.ts). */
  webhooks?: readonly (CrmWebhookEndpoint | PaymentWebhookEndpoint)[];
  /** Connecting with OAuth 2.0 (src/http/routes/oauth.ts), for vendors that offer it. */
  oauth?: VendorOAuth<unknown>;
  /**
   * The vendor's simulator, loaded only when asked for (sandbox mode, tests), so a live build
   * does not run it. Typed loosely here; each simulator module types its own factory.
   */
  simulator: () => Promise<unknown>;
}
