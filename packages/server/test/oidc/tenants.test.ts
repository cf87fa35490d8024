import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { DIALECTS, startPostern, type TestPostern } from '../helpers.js';
import { TestClock } from '../identity/setup.js';
import { Browser, follow, freePort, signInThroughPages } from './flow.js';

const REDIRECT = 'https://app.example.test/callback';

describe.each(DIALECTS)('OpenID Provider per tenant (%s)', (dialect) => {
  let p: TestPostern;
  let base: string;
  const clock = new TestClock();
  const who = { email: 'grace@example.test', password: 'another long secret' };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    p = await startPostern(dialect, { POSTERN_PUBLIC_URL: base }, { clock, housekeeping: false });
    await p.app.listen({ port, host: '127.0.0.1' });
    expect((await p.api('POST', '/api/tenants', { id: 'acme', name: 'Acme', type: 'development' })).status).toBe(201);
    for (const prefix of ['', '/t/acme'])
      expect((await p.api('POST', `${prefix}/api/users`, { ...who, name: 'Grace' })).status).toBe(201);
  });
  afterAll(async () => {
    await p?.close();
  });

  const setup = async (prefix: string) => {
    const app = (
      await p.api('POST', `${prefix}/api/applications`, { name: 'App', type: 'spa', redirectUris: [REDIRECT] })
    ).body as { clientId: string };
    const config = await client.discovery(new URL(`${base}${prefix}/oidc`), app.clientId, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    return config;
  };
  const authUrl = async (config: client.Configuration, extra: Record<string, string> = {}) => {
    const verifier = client.randomPKCECodeVerifier();
    return {
      verifier,
      url: client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...extra,
      }),
    };
  };

  it('serves tenant acme at /t/acme/oidc with its own issuer, keys, users and session cookie', async () => {
    const acme = await setup('/t/acme');
    expect(acme.serverMetadata().issuer).toBe(`${base}/t/acme/oidc`);
    const jwks = (await (await fetch(acme.serverMetadata().jwks_uri!)).json()) as { keys: Array<{ kid: string; alg?: string; kty: string }> };
    const own = (await (await fetch(`${base}/t/acme/.well-known/jwks.json`)).json()) as {
      keys: Array<{ kid: string }>;
    };
    const dflt = (await (await fetch(`${base}/oidc/jwks`)).json()) as { keys: Array<{ kid: string }> };
    // The issuer's JWKS holds the tenant's ES256 key (the one /.well-known/jwks.json shows) and its RSA key for RS256 applications.
    expect(jwks.keys.filter((k) => k.kty === 'EC').map((k) => k.kid)).toEqual(own.keys.map((k) => k.kid));
    expect(jwks.keys.filter((k) => k.kty === 'RSA')).toHaveLength(1);
    expect(jwks.keys.some((k) => dflt.keys.some((d) => d.kid === k.kid))).toBe(false);

    const b = new Browser();
    const a = await authUrl(acme);
    const cb = await signInThroughPages(b, base, who, a.url);
    const tokens = await client.authorizationCodeGrant(acme, cb, { pkceCodeVerifier: a.verifier });
    const acmeUser = (await p.api('GET', '/t/acme/api/users?search=grace')).body.items[0].id as string;
    expect(tokens.claims()!.sub).toBe(acmeUser);
    expect(tokens.claims()!.iss).toBe(`${base}/t/acme/oidc`);
    const session = b.names().find((n) => n.startsWith('postern_session'))!;
    expect(b.cookie(session)!.path).toBe('/t/acme/oidc');

    // The acme session does not sign the browser in to the default tenant.
    const dflt2 = await setup('');
    const silent = await follow(b, base, (await authUrl(dflt2, { prompt: 'none' })).url);
    expect(silent.searchParams.get('error')).toBe('login_required');
  });

  it('refuses an authorization code once it has expired', async () => {
    const config = await setup('');
    const b = new Browser();
    const a = await authUrl(config);
    const cb = await signInThroughPages(b, base, who, a.url);
    clock.advance(5 * 60_000);
    await expect(client.authorizationCodeGrant(config, cb, { pkceCodeVerifier: a.verifier })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('sends prompt=login back to the sign-in page although a session exists, and passes login_hint and ui_locales on', async () => {
    const config = await setup('');
    const b = new Browser();
    const a = await authUrl(config);
    await signInThroughPages(b, base, who, a.url);
    const again = await authUrl(config, { prompt: 'login', login_hint: who.email, ui_locales: 'th en' });
    let res = await b.fetch(again.url);
    expect(res.status).toBe(303);
    res = await b.fetch(new URL(res.headers.get('location')!, base));
    const page = new URL(res.headers.get('location')!, base);
    expect(page.pathname).toBe('/sign-in');
    expect(page.searchParams.get('email')).toBe(who.email);
    expect(page.searchParams.get('ui_locales')).toBe('th en');

    const create = await authUrl(config, { prompt: 'create' });
    const b2 = new Browser();
    res = await b2.fetch(create.url);
    res = await b2.fetch(new URL(res.headers.get('location')!, base));
    expect(new URL(res.headers.get('location')!, base).pathname).toBe('/register');
  });
});
