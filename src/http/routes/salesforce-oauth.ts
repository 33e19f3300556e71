/**
 * Connecting Salesforce with the JWT bearer flow (server to server): POST
 * /api/v1/connections/salesforce/jwt (admin) with the connected app's consumer key, the user and
 * the PKCS #8 private key; the key is stored (encrypted) so the adapter can mint new tokens itself.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
 * The web-server flow goes through the one OAuth route every vendor shares (oauth.ts).
 * Both store the token's issue time (`accessTokenIssuedAt`) with it, from which the adapter
 * knows when to refresh ahead of the session's end (adapters/salesforce/client.ts).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { disallowedUrlReason } from '../../../adapters/hosts.js';
import { isOAuthProblem } from '../../../adapters/oauth-connect.js';
import { connectionFromToken, exchangeJwt, tokenIssuedAt } from '../../../adapters/salesforce/index.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { invalidRequest, problem } from '../problem.js';
import { readBody } from '../read-body.js';
import { storeConnection } from './oauth-store.js';

const jwtBody = z
  .object({
    clientId: z.string().min(1, 'must not be empty'),
    username: z.string().min(1, 'must not be empty'),
    privateKeyPem: z.string().min(1, 'must not be empty'),
    loginUrl: z.string().url('must be an absolute URL'),
  })
  .strict();

/** Under /api/v1 (API key, admin). */
export function salesforceOAuthApiRoutes(hub: HubContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/connections/salesforce/jwt', requireRole('admin'));

  app.post('/connections/salesforce/jwt', async (c) => {
    const body = await readBody(c, jwtBody);
    if (body.response) return body.response;
    const { clientId, username, privateKeyPem } = body.value;
    const loginUrl = body.value.loginUrl.replace(/\/+$/, '');
    // Checked before any request: the hub calls only Salesforce's login hosts (adapters/hosts.ts).
    const loginProblem = disallowedUrlReason('salesforce', loginUrl, hub.mode);
    if (loginProblem) return invalidRequest(c, [{ field: 'loginUrl', message: loginProblem }]);
    const result = await exchangeJwt({ clientId, username, privateKeyPem }, loginUrl, hub.clock.now(), hub.fetch);
    if (!result.ok) {
      const field = result.reason.startsWith('could not sign') ? 'privateKeyPem' : '(credentials)';
      return problem(c, 400, 'Invalid request', `Salesforce did not issue a token: ${result.reason}`, [
        { field, message: result.reason },
      ]);
    }
    const secrets = {
      accessToken: result.token.access_token,
      accessTokenIssuedAt: tokenIssuedAt(result.token, hub.clock.now()),
      clientId,
      username,
      privateKeyPem,
    };
    const connection = connectionFromToken(result.token, loginUrl, secrets, (url) =>
      disallowedUrlReason('salesforce', url, hub.mode),
    );
    if (isOAuthProblem(connection)) {
      return problem(c, 400, 'Invalid request', connection.problem, [
        { field: connection.field, message: connection.problem },
      ]);
    }
    const stored = await storeConnection(hub, {
      orgId: c.get('orgId'),
      vendor: 'salesforce',
      actor: c.get('apiKeyId'),
      action: 'connection.jwt_connected',
      connection,
    });
    if (!stored.ok) {
      return problem(c, stored.status, stored.title, stored.detail, [
        { field: '(credentials)', message: stored.detail },
      ]);
    }
    return c.json(
      {
        vendor: 'salesforce',
        status: 'healthy',
        instanceUrl: result.token.instance_url,
        externalAccountId: stored.externalAccountId,
        // Shown once: the Outbound Message endpoint, with its secret (rotate to get a new one).
        ...(stored.inboundUrlPath
          ? { outbound_message_url: `${new URL(c.req.url).origin}${stored.inboundUrlPath}` }
          : {}),
      },
      200,
    );
  });
  return app;
}
