import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { DIALECTS, startPostern, type TestPostern } from '../helpers.js';
import { Browser, freePort, signInThroughPages } from './flow.js';

describe.each(DIALECTS)('OpenID Provider: native apps, application tokens, key rotation (%s)', (dialect) => {
  let p: TestPostern;
  let base: string;
  const who = { email: 'native@example.test', password: 'native app password' };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    p = await startPostern(dialect, { POSTERN_PUBLIC_URL: base });
    await p.app.listen({ port, host: '127.0.0.1' });
    expect((await p.api('POST', '/api/users', { ...who, name: 'Nat' })).status).toBe(201);
  });
  afterAll(async () => {
    await p?.close();
  });

  const register = async (type: 'native' | 'spa', redirect: string) => {
    const r = await p.api('POST', '/api/applications', { name: `App ${type}`, type, redirectUris: [redirect] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return client.discovery(new URL(`${base}/oidc`), r.body.clientId as string, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
  };
  const authorize = async (config: client.Configuration, redirect: string, scope = 'openid') => {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirect,
      scope,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return { verifier, url };
  };

  it('lets a native app use its loopback redirect URI on any port (RFC 8252), and nobody else', async () => {
    const native = await register('native', 'http://127.0.0.1/callback');
    const onPort = 'http://127.0.0.1:49321/callback';
    const a = await authorize(native, onPort);
    const cb = await signInThroughPages(new Browser(), base, who, a.url);
    expect(cb.origin + cb.pathname).toBe(onPort);
    const tokens = await client.authorizationCodeGrant(native, cb, { pkceCodeVerifier: a.verifier });
    expect(tokens.claims()!.aud).toBe(native.clientMetadata().client_id);

    // Another path, or a web application's loopback URI on another port, must match exactly.
    for (const [config, redirect] of [
      [native, 'http://127.0.0.1:49321/other'],
      [await register('spa', 'http://127.0.0.1:5173/cb'), 'http://127.0.0.1:5174/cb'],
    ] as const) {
      const res = await fetch((await authorize(config, redirect)).url, { redirect: 'manual' });
      expect(res.status, redirect).toBe(400);
      expect(await res.text()).toContain('redirect_uri');
    }
  });

  it('introspects (RFC 7662) and revokes (RFC 7009) a token for the application it was issued to, and no other', async () => {
    const make = async (name: string) => {
      const r = await p.api('POST', '/api/applications', {
        name,
        type: 'traditional',
        redirectUris: ['https://web.example.test/cb'],
      });
      expect(r.status).toBe(201);
      return client.discovery(new URL(`${base}/oidc`), r.body.clientId as string, r.body.clientSecret as string, undefined, {
        execute: [client.allowInsecureRequests],
      });
    };
    const mine = await make('Mine');
    const theirs = await make('Theirs');
    const a = await authorize(mine, 'https://web.example.test/cb');
    const cb = await signInThroughPages(new Browser(), base, who, a.url);
    const tokens = await client.authorizationCodeGrant(mine, cb, { pkceCodeVerifier: a.verifier });
    const own = await client.tokenIntrospection(mine, tokens.access_token);
    expect([own.active, own.sub, own.client_id]).toEqual([true, tokens.claims()!.sub, mine.clientMetadata().client_id]);
    expect((await client.tokenIntrospection(theirs, tokens.access_token)).active).toBe(false);
    // Another application's revocation leaves the token working.
    await client.tokenRevocation(theirs, tokens.access_token);
    expect((await client.tokenIntrospection(mine, tokens.access_token)).active).toBe(true);
    await client.tokenRevocation(mine, tokens.access_token);
    expect((await client.tokenIntrospection(mine, tokens.access_token)).active).toBe(false);
  });

  it('signs ID tokens with the new key right after a rotation, and keeps publishing the old one', async () => {
    const config = await register('spa', 'https://rot.example.test/cb');
    const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    const idToken = async () => {
      const a = await authorize(config, 'https://rot.example.test/cb');
      const cb = await signInThroughPages(new Browser(), base, who, a.url);
      return (await client.authorizationCodeGrant(config, cb, { pkceCodeVerifier: a.verifier })).id_token!;
    };
    const before = kidOf(await idToken());
    const rot = await p.api('POST', '/api/signing-keys/rotate');
    expect(rot.status).toBe(200);
    const after = kidOf(await idToken());
    expect(after).toBe(rot.body.kid);
    expect(after).not.toBe(before);
    const published = (await (await fetch(`${base}/oidc/jwks`)).json()) as { keys: Array<{ kid: string; alg: string }> };
    expect(published.keys.filter((k) => k.alg === 'ES256').map((k) => k.kid).sort()).toEqual([before, after].sort());
  });

  it("accepts an application's access token at the account API until it is revoked", async () => {
    const config = await register('spa', 'https://spa.example.test/cb');
    const a = await authorize(config, 'https://spa.example.test/cb', 'openid email');
    const cb = await signInThroughPages(new Browser(), base, who, a.url);
    const tokens = await client.authorizationCodeGrant(config, cb, { pkceCodeVerifier: a.verifier });
    const me = (token: string) =>
      p.app.inject({ method: 'GET', url: '/api/my-account', headers: { authorization: `Bearer ${token}` } });
    const ok = await me(tokens.access_token);
    expect([ok.statusCode, ok.json().email]).toEqual([200, who.email]);
    // Another tenant does not know it.
    expect((await p.api('POST', '/api/tenants', { id: 'other', name: 'Other', type: 'development' })).status).toBe(201);
    expect(
      (
        await p.app.inject({
          method: 'GET',
          url: '/t/other/api/my-account',
          headers: { authorization: `Bearer ${tokens.access_token}` },
        })
      ).statusCode,
    ).toBe(401);
    await client.tokenRevocation(config, tokens.access_token);
    const gone = await me(tokens.access_token);
    expect([gone.statusCode, gone.json().code]).toEqual([401, 'account.unauthorized']);
  });
});
