/**
 * The inbound side of a vendor as a port: the webhook endpoints it calls us on and how each one
 * verifies and parses a request. The hub's one webhook route (src/http/routes/webhooks.ts) finds
 * the connection the way the endpoint says, asks the endpoint, and turns what it answers into
 * inbox rows and jobs; it knows no vendor's signature scheme or body format.
 */
/** What the route hands an endpoint: the request as received, bytes unchanged. */
export interface InboundRequest {
  method: string;
  /** The full URL the hub received (some vendors sign it). */
  url: string;
  rawBody: string;
  headers: Headers;
  now: () => Date;
}

/** The stored connection a request is for, as far as the route found it. */
export interface InboundConnection {
  /** The vendor account the connection is bound to (Salesforce org id, ...). */
  externalAccountId: string | null;
  config: Record<string, string>;
  /** Decrypted secrets, read only when an endpoint needs one (a signing secret). */
  secrets(): Promise<Record<string, string> | undefined>;
}

/** A request the endpoint will not take: unauthenticated (401, reason logged only) or invalid (400). */
export type InboundRefusal =
  | { refuse: 'unauthenticated'; why?: string }
  | { refuse: 'invalid'; title: string; detail: string; field?: string };

/**
 * How the route finds the connection before it trusts the body:
 * - `id`: the path names it (`:connectionId`), and the endpoint verifies a signature with its secret;
 * - `inbound-token`: the path names it and carries its secret (`:connectionId/:token`);
 * - `account`: the body names the vendor account (an unsigned body: the endpoint must decide
 *   whether the connection accepts that at all).
 */
export type ConnectionLookup =
  | { by: 'id' }
  | { by: 'inbound-token' }
  | { by: 'account'; accountOf(rawBody: string): { account: string } | InboundRefusal };

/** One change a CRM reported, in the hub's terms: what to record and which jobs it may start. */
export interface DealChange {
  /** The inbox row that deduplicates it: provider and the provider's event id. */
  inbox: { provider: string; eventId: string; payload: string };
  dealIds: readonly string[];
  /** The deal is won (or may be: the flow checks): start deal-to-contract, one job per deal. */
  startContract: boolean;
  /** Set when a deal that already has its contract should be checked for an amendment, one job per key. */
  amendmentKey: string | undefined;
}

/** The answer the vendor expects, given how many jobs the request started. */
export type WebhookReply = { type: 'json'; body: unknown } | { type: 'xml'; body: string };

export interface DealChanges {
  changes: DealChange[];
  reply(started: number): WebhookReply;
}

interface EndpointBase {
  /** Names the endpoint in logs and its rate-limit budget (one budget per endpoint and connection). */
  name: string;
  /** Path below /webhooks/<vendor>, in Hono's syntax ('/:connectionId', '/events/:connectionId'). */
  path: string;
}

/** A CRM webhook: verified and parsed by the vendor, recorded and acted on by the hub. */
export interface CrmWebhookEndpoint extends EndpointBase {
  port: 'crm';
  lookup: ConnectionLookup;
  receive(request: InboundRequest, connection: InboundConnection): Promise<DealChanges | InboundRefusal>;
}

/**
 * A payment webhook: verified and parsed by the org's PaymentPort (`parseWebhook`), since the
 * adapter holds the signing secret. Always found by the connection id in the path.
 */
export interface PaymentWebhookEndpoint extends EndpointBase {
  port: 'payment';
  lookup: { by: 'id' };
  /**
   * The plain-text body the vendor needs to count an event as delivered (Adyen: `[accepted]`,
   * https://docs.adyen.com/development-resources/webhooks#accept-webhooks); without it, JSON.
   */
  acknowledge?: string;
}

export const isRefusal = (value: object): value is InboundRefusal => 'refuse' in value;
