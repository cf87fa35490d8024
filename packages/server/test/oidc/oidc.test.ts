import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DIALECTS, startPostern, type TestPostern } from '../helpers.js';
import { Browser, follow, freePort, signInThroughPages } from './flow.js';

const REDIRECT = 'https://app.example.test/callback';
const LOGOUT_REDIRECT = 'https://app.example.test/signed-out';

describe.each(DIALECTS)('OpenID Connect (%s)', (dialect) => {
  let p: TestPostern;
  let base: string;
  const email = 'ada@example.test';
  const password = 'correct horse battery';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    p = await startPostern(dialect, { POSTERN_PUBLIC_URL: base });
    await p.app.listen({ port, host: '127.0.0.1' });
    expect((await p.api('POST', '/api/users', { email, password, name: 'Ada' })).status).toBe(201);
  });
  afterAll(async () => {
    await p?.close();
  });

  const createApp = async (body: Record<string, unknown>) => {
    const r = await p.api('POST', '/api/applications', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; clientId: string; clientSecret?: string };
  };

  it('publishes discovery with the tenant ES256 key and the endpoints under the issuer', async () => {
    const res = await fetch(`${base}/oidc/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as Record<string, unknown>;
    expect(d.issuer).toBe(`${base}/oidc`);
    expect(d.authorization_endpoint).toBe(`${base}/oidc/auth`);
    expect(d.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = (await (await fetch(d.jwks_uri as string)).json()) as {
      keys: Array<{ kid: string; alg: string; d?: string }>;
    };
    const ours = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    // The access tokens' JWKS holds the ES256 keys; the provider's adds the tenant's RSA key (RS256 ID tokens).
    expect(jwks.keys.filter((k) => k.alg === 'ES256').map((k) => k.kid)).toEqual(ours.keys.map((k) => k.kid));
    expect(jwks.keys.filter((k) => k.alg === 'RS256')).toHaveLength(1);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    expect(d.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'RS256']));
  });

  it('signs ID tokens RS256 for an application that asks, ES256 for the others; rotation keeps the old RSA key published', async () => {
    const bad = await p.api('POST', '/api/applications', { name: 'X', type: 'spa', redirectUris: [REDIRECT], idTokenSignedResponseAlg: 'HS256' });
    expect([bad.status, bad.body.code]).toEqual([400, 'request.invalid']);
    const rs = await createApp({ name: 'RSA', type: 'spa', redirectUris: [REDIRECT], idTokenSignedResponseAlg: 'RS256' });
    const es = await createApp({ name: 'EC', type: 'spa', redirectUris: [REDIRECT] });
    expect((await p.api('GET', `/api/applications/${rs.id}`)).body.idTokenSignedResponseAlg).toBe('RS256');
    expect((await p.api('GET', `/api/applications/${es.id}`)).body.idTokenSignedResponseAlg).toBe('ES256');
    const idToken = async (clientId: string) => {
      const config = await client.discovery(new URL(`${base}/oidc`), clientId, undefined, client.None(), {
        execute: [client.allowInsecureRequests],
      });
      const verifier = client.randomPKCECodeVerifier();
      const authUrl = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const cb = await signInThroughPages(new Browser(), base, { email, password }, authUrl);
      return (await client.authorizationCodeGrant(config, cb, { pkceCodeVerifier: verifier })).id_token!;
    };
    const jwks = createRemoteJWKSet(new URL(`${base}/oidc/jwks`));
    const rsToken = await idToken(rs.clientId);
    const v = await jwtVerify(rsToken, jwks, { issuer: `${base}/oidc`, audience: rs.clientId, algorithms: ['RS256'] });
    expect(v.protectedHeader.alg).toBe('RS256');
    const published = async () =>
      ((await (await fetch(`${base}/oidc/jwks`)).json()) as { keys: Array<{ kid: string; kty: string }> }).keys;
    expect((await published()).find((k) => k.kid === v.protectedHeader.kid)?.kty).toBe('RSA');
    const esToken = await idToken(es.clientId);
    expect((await jwtVerify(esToken, jwks, { audience: es.clientId })).protectedHeader.alg).toBe('ES256');
    // Switch the application to ES256 and back by PATCH.
    expect((await p.api('PATCH', `/api/applications/${es.id}`, { idTokenSignedResponseAlg: 'RS256' })).body.idTokenSignedResponseAlg).toBe('RS256');
    expect((await p.api('PATCH', `/api/applications/${es.id}`, { idTokenSignedResponseAlg: 'none' })).status).toBe(400);

    const rot = await p.api('POST', '/api/signing-keys/rotate');
    expect(rot.status).toBe(200);
    expect(rot.body.keys.map((k: { alg: string }) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    const newRsa = rot.body.keys.find((k: { alg: string }) => k.alg === 'RS256').kid;
    const after = await idToken(rs.clientId);
    expect((await jwtVerify(after, createRemoteJWKSet(new URL(`${base}/oidc/jwks`)))).protectedHeader.kid).toBe(newRsa);
    // The old RSA key is still published, so the token signed before the rotation still verifies.
    const kids = (await published()).map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([v.protectedHeader.kid, newRsa]));
    await jwtVerify(rsToken, createRemoteJWKSet(new URL(`${base}/oidc/jwks`)), { audience: rs.clientId });
  });

  it('signs a user in to a traditional app: code + PKCE, userinfo, refresh rotation, reuse refused, logout', async () => {
    const app = await createApp({
      name: 'Shop',
      type: 'traditional',
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: [LOGOUT_REDIRECT],
    });
    expect(app.clientSecret).toMatch(/^pcs_/);
    const config = await client.discovery(new URL(`${base}/oidc`), app.clientId, app.clientSecret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email profile offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const b = new Browser();
    const callback = await signInThroughPages(b, base, { email, password }, authUrl);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = tokens.claims()!;
    expect(claims.email).toBeUndefined(); // conformIdTokenClaims: scope claims come from userinfo
    expect(claims.amr).toEqual(['pwd']);
    expect(tokens.refresh_token).toBeTruthy();
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    // An account made through the admin API has not verified its address.
    expect(info).toMatchObject({ sub: claims.sub, email, email_verified: false, name: 'Ada' });

    const next = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(next.refresh_token).toBeTruthy();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    // The code is single-use; presenting it again also revokes what it was exchanged for (RFC 6749 §4.1.2).
    await expect(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(config, next.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    // A second authorization of the same app is silent (SSO session cookie).
    const again = await follow(
      b,
      base,
      client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', state: 's2' }),
    );
    expect(again.searchParams.get('code'), again.href).toBeTruthy();

    // RP-initiated logout ends the session.
    const end = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: LOGOUT_REDIRECT,
      state: 'bye',
    });
    let res = await b.fetch(end);
    expect(res.status).toBe(200);
    const html = await res.text();
    const action = /action="([^"]+)"/.exec(html)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    res = await b.fetch(new URL(action, base), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    expect(res.status).toBe(303);
    const out = new URL(res.headers.get('location')!);
    expect(out.origin + out.pathname).toBe(LOGOUT_REDIRECT);
    expect(out.searchParams.get('state')).toBe('bye');
    const after = await follow(
      b,
      base,
      client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', state: 's3' }),
    );
    expect(after.searchParams.get('error')).toBe('login_required');
  });

  it('makes a second application of the tenant silent (SSO) and keeps the session cookie on the tenant path', async () => {
    const spa = await createApp({
      name: 'SPA',
      type: 'spa',
      redirectUris: [REDIRECT],
      corsOrigins: ['https://app.example.test'],
    });
    const other = await createApp({ name: 'Other', type: 'spa', redirectUris: ['https://other.example.test/cb'] });
    const b = new Browser();
    const cfg = await client.discovery(new URL(`${base}/oidc`), spa.clientId, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const v = client.randomPKCECodeVerifier();
    const cb = await signInThroughPages(
      b,
      base,
      { email, password },
      client.buildAuthorizationUrl(cfg, {
        redirect_uri: REDIRECT,
        scope: 'openid email',
        code_challenge: await client.calculatePKCECodeChallenge(v),
        code_challenge_method: 'S256',
      }),
    );
    expect(cb.searchParams.get('code')).toBeTruthy();
    const session = b.names().find((n) => n.startsWith('postern_session'))!;
    expect(b.cookie(session)!.path).toBe('/oidc');

    const cfg2 = await client.discovery(new URL(`${base}/oidc`), other.clientId, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const v2 = client.randomPKCECodeVerifier();
    const cb2 = await follow(
      b,
      base,
      client.buildAuthorizationUrl(cfg2, {
        redirect_uri: 'https://other.example.test/cb',
        scope: 'openid email offline_access',
        code_challenge: await client.calculatePKCECodeChallenge(v2),
        code_challenge_method: 'S256',
        state: 'x',
      }),
    );
    expect(cb2.origin).toBe('https://other.example.test');
    const t2 = await client.authorizationCodeGrant(cfg2, cb2, { pkceCodeVerifier: v2, expectedState: 'x' });
    expect(t2.refresh_token).toBeTruthy();

    // CORS: the SPA's registered origin may call userinfo and the token endpoint; another origin may not.
    const t1 = await client.authorizationCodeGrant(cfg, cb, { pkceCodeVerifier: v });
    const ok = await fetch(`${base}/oidc/me`, {
      headers: { origin: 'https://app.example.test', authorization: `Bearer ${t1.access_token}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    const foreign = await fetch(`${base}/oidc/me`, {
      headers: { origin: 'https://evil.example.test', authorization: `Bearer ${t1.access_token}` },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const token = (origin: string) =>
      fetch(`${base}/oidc/token`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: other.clientId,
          refresh_token: t2.refresh_token!,
        }).toString(),
      });
    const refused = await token('https://app.example.test'); // registered by the SPA, not by `other`
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a wrong redirect URI, a public client without PKCE and a bad client secret', async () => {
    const spa = await createApp({ name: 'SPA2', type: 'spa', redirectUris: [REDIRECT] });
    const noPkce = new URL(`${base}/oidc/auth`);
    noPkce.search = new URLSearchParams({
      client_id: spa.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'q',
    }).toString();
    let res = await fetch(noPkce, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const loc = new URL(res.headers.get('location')!);
    expect(loc.searchParams.get('error')).toBe('invalid_request');
    expect(loc.searchParams.get('error_description')).toMatch(/PKCE/i);

    const wrong = new URL(noPkce);
    wrong.searchParams.set('redirect_uri', `${REDIRECT}/other`);
    wrong.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    wrong.searchParams.set('code_challenge_method', 'S256');
    res = await fetch(wrong, { redirect: 'manual' });
    expect(res.status).toBe(400); // never redirected to an unregistered URI
    expect(await res.text()).toMatch(/redirect_uri/);

    const trad = await createApp({ name: 'Trad', type: 'traditional', redirectUris: [REDIRECT] });
    const bad = await fetch(`${base}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${trad.clientId}:pcs_wrong`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT }).toString(),
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_client');
  });
});
