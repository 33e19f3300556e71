/**
 * Connecting Salesforce with the OAuth 2.0 web-server flow (adapters/oauth-connect.ts): the
 * authorize URL on the org's login host, then the code exchanged for tokens at the callback.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
 * The JWT bearer flow (server to server) shares `connectionFromToken`.
 */
import { z } from 'zod';
import {
  isOAuthProblem,
  type OAuthConnection,
  type OAuthProblem,
  type UrlCheck,
  type VendorOAuth,
} from '../oauth-connect.js';
import {
  DEFAULT_LOGIN_URL,
  orgIdFromIdentityUrl,
  requestToken,
  type SalesforceTokenResponse,
  tokenIssuedAt,
} from './oauth.js';

const url = z.string().url('must be an absolute URL');

const startBody = z
  .object({
    /** Connected app consumer key and secret (default: the ones stored on the connection). */
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    loginUrl: url.optional(),
    /** Must match the connected app's callback URL (default: this hub's /oauth/salesforce/callback). */
    redirectUri: url.optional(),
  })
  .strict();

/**
 * The connection a token response makes: the Salesforce org id from the identity URL, as
 * Salesforce issued it, and the instance the adapter will call, which must be one of Salesforce's
 * hosts. `secrets` are the caller's (they differ by flow).
 */
export function connectionFromToken(
  token: SalesforceTokenResponse,
  loginUrl: string,
  secrets: Record<string, string>,
  urlProblem: UrlCheck,
): OAuthConnection | OAuthProblem {
  const instanceProblem = urlProblem(token.instance_url ?? '');
  if (instanceProblem) {
    return {
      problem: `Salesforce answered an instance URL the hub will not call: ${instanceProblem}`,
      field: 'loginUrl',
    };
  }
  return {
    externalAccountId: orgIdFromIdentityUrl(token.id),
    config: { instanceUrl: token.instance_url, loginUrl },
    secrets,
  };
}

export const salesforceOAuth: VendorOAuth<z.infer<typeof startBody>> = {
  displayName: 'Salesforce',
  accountName: 'Salesforce org',
  inboundUrlHint: 'Set this as the Endpoint URL of your Outbound Message',
  startBody,

  start({ body, stored, callbackUrl, urlProblem }) {
    const clientId = body.clientId ?? stored?.secrets.clientId;
    if (!clientId) return { problem: 'required: no consumer key is stored', field: 'clientId' };
    if (!body.clientSecret && !stored?.secrets.clientSecret) {
      return { problem: 'required: no consumer secret is stored', field: 'clientSecret' };
    }
    const loginUrl = (body.loginUrl ?? stored?.config.loginUrl ?? DEFAULT_LOGIN_URL).replace(/\/+$/, '');
    const loginProblem = urlProblem(loginUrl);
    if (loginProblem) return { problem: loginProblem, field: 'loginUrl' };
    const redirectUri = body.redirectUri ?? callbackUrl;
    return {
      carry: { clientId, loginUrl, redirectUri },
      ...(body.clientSecret ? { secretToSeal: body.clientSecret } : {}),
      redirectUri,
      authorizeUrl(state) {
        const authorize = new URL(`${loginUrl}/services/oauth2/authorize`);
        authorize.searchParams.set('response_type', 'code');
        authorize.searchParams.set('client_id', clientId);
        authorize.searchParams.set('redirect_uri', redirectUri);
        authorize.searchParams.set('state', state);
        return authorize.toString();
      },
    };
  },

  async finish({ code, carried, unsealedSecret, stored, now, urlProblem, fetch }) {
    const { clientId, loginUrl, redirectUri } = carried as { clientId: string; loginUrl: string; redirectUri: string };
    const clientSecret = unsealedSecret ?? stored?.secrets.clientSecret;
    if (!clientSecret) return { problem: 'no consumer secret for this connection', field: 'state' };
    const result = await requestToken(
      loginUrl,
      {
        grant_type: 'authorization_code',
        code,
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uri: redirectUri,
      },
      fetch,
    );
    if (!result.ok) return { problem: `Salesforce did not issue a token: ${result.reason}`, field: 'code' };
    // A web-server connection replaces a JWT one: the key and user go, the rest stays.
    const { privateKeyPem: _key, username: _user, ...kept } = stored?.secrets ?? {};
    const secrets = {
      ...kept,
      accessToken: result.token.access_token,
      accessTokenIssuedAt: tokenIssuedAt(result.token, now),
      ...(result.token.refresh_token ? { refreshToken: result.token.refresh_token } : {}),
      clientId,
      clientSecret,
    };
    const connection = connectionFromToken(result.token, loginUrl, secrets, urlProblem);
    // At the callback the person can only start again: the problem is the code's.
    return isOAuthProblem(connection) ? { ...connection, field: 'code' } : connection;
  },
};
