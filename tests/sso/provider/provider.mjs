// A real OpenID Connect provider for Muster's single sign-on tests: panva's oidc-provider,
// on a free loopback port. tests/sso/conftest.py starts it and reads the first line it
// prints: {"issuer": "http://127.0.0.1:PORT"}.
//
// Environment:
//   MUSTER_CALLBACK   Muster's redirect URI (registered for the client "muster")
//   ACCOUNTS          JSON: {sub: {email, email_verified, name, email_in}}; email_in
//                     "userinfo" keeps the e-mail out of the ID token (UserInfo only)
//
// The test accounts sign in through the provider's own development login form (any
// password). Consent is granted for the registered clients, as for a force's first-party
// applications. One test-only control, on this loopback port only: POST /__test__/next-token
// with JSON {"skew_seconds": N} issues the next token response on a clock N seconds off,
// and {"id_token": "..."} hands out that ID token instead of the one minted for the next
// token response (a token the provider issued to another client, say).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const callback = process.env.MUSTER_CALLBACK;
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
if (!callback) {
  console.error('MUSTER_CALLBACK is not set');
  process.exit(2);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'provider-key-1', use: 'sig', alg: 'RS256' };

const realNow = Date.now;
let nextToken = null;

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'muster',
        client_secret: 'muster-test-secret-0123456789abcdef',
        redirect_uris: [callback],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      {
        client_id: 'muster-public',
        token_endpoint_auth_method: 'none',
        redirect_uris: [callback],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      {
        client_id: 'other-app',
        client_secret: 'other-app-secret-0123456789abcdef',
        redirect_uris: ['https://other.test/callback'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Scope claims in the ID token as well as at UserInfo, as most forces' providers do.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    // Codes, grants and sessions outlive the clock skews of /__test__/next-token (an hour).
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 7200,
      IdToken: 600,
      Interaction: 600,
      Session: 7200,
      Grant: 7200,
    },
    async findAccount(ctx, sub) {
      const account = accounts[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims(use) {
          const claims = { sub, name: account.name };
          if (account.email && (account.email_in !== 'userinfo' || use === 'userinfo')) {
            claims.email = account.email;
            claims.email_verified = account.email_verified;
          }
          return claims;
        },
      };
    },
    // First-party clients: grant what was asked for without a consent screen.
    async loadExistingGrant(ctx) {
      const { Grant } = ctx.oidc.provider;
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      const grant = (grantId && await Grant.find(grantId)) || new Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
      await grant.save();
      return grant;
    },
  });

  provider.use(async (ctx, next) => {
    if (ctx.path !== '/token' || nextToken === null) {
      await next();
      return;
    }
    const misbehave = nextToken;
    nextToken = null;
    if (misbehave.skew_seconds) {
      Date.now = () => realNow() + misbehave.skew_seconds * 1000;
    }
    try {
      await next();
    } finally {
      Date.now = realNow;
    }
    if (misbehave.id_token && ctx.body && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: misbehave.id_token };
    }
  });

  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url === '/__test__/next-token') {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        nextToken = JSON.parse(body || '{}');
        res.writeHead(204);
        res.end();
      });
      return;
    }
    handle(req, res);
  });
  console.log(JSON.stringify({ issuer }));
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
