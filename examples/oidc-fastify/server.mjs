// A minimal web application that signs its users in through Postern with OpenID Connect
// (authorization code + PKCE, with openid-client). See README.md.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import * as client from 'openid-client';

/**
 * @param {{ issuer: string, clientId: string, clientSecret: string, baseUrl: string, allowHttp?: boolean }} opts
 */
export async function createApp(opts) {
  const config = await client.discovery(
    new URL(opts.issuer),
    opts.clientId,
    opts.clientSecret,
    undefined,
    opts.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
  );
  const redirectUri = `${opts.baseUrl}/callback`;
  // Sessions in memory, keyed by a random cookie: enough for an example, not for production.
  const sessions = new Map();
  const app = Fastify();

  const sessionOf = (req, reply) => {
    const id = /(?:^|;\s*)sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (id && sessions.has(id)) return sessions.get(id);
    const fresh = randomBytes(16).toString('base64url');
    const s = {};
    sessions.set(fresh, s);
    reply.header('set-cookie', `sid=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
    return s;
  };

  app.get('/', async (req, reply) => {
    const s = sessionOf(req, reply);
    reply.type('text/html');
    if (!s.user) return '<p>You are signed out.</p><p><a href="/login">Sign in with Postern</a></p>';
    return `<p>Signed in as <b>${escape(s.user.email ?? s.user.sub)}</b>.</p><p><a href="/logout">Sign out</a></p>`;
  });

  app.get('/login', async (req, reply) => {
    const s = sessionOf(req, reply);
    s.verifier = client.randomPKCECodeVerifier();
    s.state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(s.verifier),
      code_challenge_method: 'S256',
      state: s.state,
    });
    return reply.redirect(url.href);
  });

  app.get('/callback', async (req, reply) => {
    const s = sessionOf(req, reply);
    const current = new URL(req.url, opts.baseUrl);
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: s.verifier,
      expectedState: s.state,
    });
    const claims = tokens.claims();
    s.user = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    s.idToken = tokens.id_token;
    s.refreshToken = tokens.refresh_token;
    delete s.verifier;
    delete s.state;
    return reply.redirect('/');
  });

  app.get('/logout', async (req, reply) => {
    const s = sessionOf(req, reply);
    const idToken = s.idToken;
    for (const k of Object.keys(s)) delete s[k];
    if (!idToken) return reply.redirect('/');
    return reply.redirect(
      client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: `${opts.baseUrl}/` }).href,
    );
  });

  return app;
}

function escape(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 4000);
  const baseUrl = process.env.APP_URL ?? `http://localhost:${port}`;
  const app = await createApp({
    issuer: process.env.POSTERN_ISSUER ?? 'http://localhost:3000/oidc',
    clientId: process.env.CLIENT_ID ?? '',
    clientSecret: process.env.CLIENT_SECRET ?? '',
    baseUrl,
    allowHttp: (process.env.POSTERN_ISSUER ?? 'http://').startsWith('http://'),
  });
  await app.listen({ port, host: '127.0.0.1' });
  console.log(`Example app on ${baseUrl}`);
}
