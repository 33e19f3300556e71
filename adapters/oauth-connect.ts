/**
 * Connecting a vendor with OAuth 2.0 as a port: the vendor builds the authorize URL and turns the
 * callback's code into a connection (config, secrets, the vendor account id). The hub's one OAuth
 * route (src/http/routes/oauth.ts) does the rest the same way for every vendor: the admin check,
 * the signed `state`, sealing a secret given at start, storing the connection encrypted, waking
 * the jobs that waited for it.
 */
import type { z } from 'zod';

/** Why the hub will not call `url` for this vendor (its host allow-list, adapters/hosts.ts), or undefined. */
export type UrlCheck = (url: string) => string | undefined;

/** What the org's connection to the vendor holds today, if it has one. */
export interface StoredConnection {
  config: Record<string, string>;
  secrets: Record<string, string>;
}

/** A request the vendor refuses, naming the field the person has to fix. */
export interface OAuthProblem {
  problem: string;
  field: string;
}

export interface OAuthStartRequest<Body> {
  body: Body;
  stored: StoredConnection | undefined;
  /** The hub's callback for this vendor (https://<hub>/oauth/<vendor>/callback). */
  callbackUrl: string;
  urlProblem: UrlCheck;
}

export interface OAuthAuthorization {
  /** What the callback needs to finish, carried in the signed state (never a secret in clear). */
  carry: Record<string, string>;
  /** A secret given at start that the callback needs: sealed (AES-GCM) inside the state. */
  secretToSeal?: string;
  redirectUri: string;
  authorizeUrl(state: string): string;
}

export interface OAuthFinishRequest {
  /** The `code` the vendor sent back. */
  code: string;
  carried: Record<string, string>;
  /** The secret sealed at start, unsealed. */
  unsealedSecret: string | undefined;
  stored: StoredConnection | undefined;
  now: Date;
  urlProblem: UrlCheck;
  fetch?: typeof fetch;
}

/** A connection as the vendor issued it: stored on the org (config merged over what was there). */
export interface OAuthConnection {
  /** The vendor account the token belongs to, as the vendor says (unique across orgs). */
  externalAccountId: string | undefined;
  config: Record<string, string>;
  secrets: Record<string, string>;
}

export interface VendorOAuth<Body = Record<string, unknown>> {
  /** The vendor's name as a person reads it ("Salesforce"), for pages and problems. */
  displayName: string;
  /** What the vendor account is called ("Salesforce org"), for the 409 when another org holds it. */
  accountName: string;
  /**
   * For a vendor with an endpoint whose URL carries its secret (inbound-token, adapters/inbound.ts):
   * what to do with the URL, shown once on the page the callback ends on.
   */
  inboundUrlHint?: string;
  /** The body of POST /api/v1/connections/<vendor>/oauth/start. */
  startBody: z.ZodType<Body>;
  start(request: OAuthStartRequest<Body>): OAuthAuthorization | OAuthProblem;
  finish(request: OAuthFinishRequest): Promise<OAuthConnection | OAuthProblem>;
}

export const isOAuthProblem = (value: object): value is OAuthProblem => 'problem' in value;
