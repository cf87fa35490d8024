import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startPostern, type TestPostern } from '../helpers.js';

describe.each(DIALECTS)('applications API (%s)', (dialect) => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern(dialect, { POSTERN_PUBLIC_URL: 'https://auth.example.test' });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('creates a traditional app with a secret shown once, stored encrypted, and rotates it', async () => {
    const r = await p.api('POST', '/api/applications', {
      name: 'Shop',
      type: 'traditional',
      redirectUris: ['https://shop.example.test/cb'],
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'Shop',
      type: 'traditional',
      redirectUris: ['https://shop.example.test/cb'],
      postLogoutRedirectUris: [],
      corsOrigins: [],
      logoUrl: null,
      hasClientSecret: true,
    });
    expect(r.body.clientId).toBe(r.body.id);
    const secret = r.body.clientSecret as string;
    expect(secret).toMatch(/^pcs_[\w-]{40,}$/);
    const got = await p.api('GET', `/api/applications/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.clientSecret).toBeUndefined();
    expect(JSON.stringify(got.body)).not.toContain(secret);
    const row = await p.services.db.kysely
      .selectFrom('applications')
      .selectAll()
      .where('id', '=', r.body.id)
      .executeTakeFirstOrThrow();
    expect(row.client_secret).not.toContain(secret);
    expect(row.client_secret).toMatch(/^v1\./);

    const rot = await p.api('POST', `/api/applications/${r.body.id}/secret`);
    expect(rot.status).toBe(200);
    expect(rot.body.clientSecret).toMatch(/^pcs_/);
    expect(rot.body.clientSecret).not.toBe(secret);
  });

  it('gives public clients no secret and refuses to rotate one', async () => {
    const r = await p.api('POST', '/api/applications', {
      name: 'SPA',
      type: 'spa',
      redirectUris: ['http://localhost:5173/cb'],
      corsOrigins: ['http://localhost:5173'],
    });
    expect(r.status).toBe(201);
    expect(r.body.clientSecret).toBeUndefined();
    expect(r.body.hasClientSecret).toBe(false);
    const rot = await p.api('POST', `/api/applications/${r.body.id}/secret`);
    expect(rot.status).toBe(400);
    expect(rot.body.code).toBe('request.invalid');
  });

  it('edits with a merge patch, keeps the type, deletes, and answers 404 after', async () => {
    const r = await p.api('POST', '/api/applications', {
      name: 'Native',
      type: 'native',
      redirectUris: ['com.example.app:/cb'],
      logoUrl: 'https://cdn.example.test/logo.png',
    });
    expect(r.status).toBe(201);
    const patched = await p.api('PATCH', `/api/applications/${r.body.id}`, {
      name: 'Native 2',
      logoUrl: null,
      postLogoutRedirectUris: ['com.example.app:/out'],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Native 2',
      logoUrl: null,
      postLogoutRedirectUris: ['com.example.app:/out'],
      redirectUris: ['com.example.app:/cb'],
      type: 'native',
    });
    expect((await p.api('PATCH', `/api/applications/${r.body.id}`, { type: 'spa' })).status).toBe(400);
    expect((await p.api('DELETE', `/api/applications/${r.body.id}`)).status).toBe(204);
    const gone = await p.api('GET', `/api/applications/${r.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('application.not_found');
    expect((await p.api('DELETE', `/api/applications/${r.body.id}`)).status).toBe(404);
  });

  it('shows the hosted pages an application\'s name and logo without a key, and nothing else', async () => {
    const r = await p.api('POST', '/api/applications', {
      name: 'Shop & Co',
      type: 'traditional',
      redirectUris: ['https://shop.example.test/cb'],
      corsOrigins: ['https://shop.example.test'],
      logoUrl: 'https://cdn.example.test/shop.png',
    });
    expect(r.status).toBe(201);
    const pub = (url: string) => p.app.inject({ method: 'GET', url, headers: { accept: 'application/json' } });
    const card = await pub(`/api/experience/applications/${r.body.clientId}`);
    expect(card.statusCode).toBe(200);
    expect(card.json()).toEqual({ name: 'Shop & Co', logoUrl: 'https://cdn.example.test/shop.png' });

    const missing = await pub('/api/experience/applications/no-such-client');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'application.not_found' });
    const malformed = await pub(`/api/experience/applications/${encodeURIComponent('<script>')}`);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'request.invalid' });

    // Another tenant's pages do not see it.
    expect((await p.api('POST', '/api/tenants', { id: 'cards-other', name: 'Other' })).status).toBe(201);
    const other = await pub(`/t/cards-other/api/experience/applications/${r.body.clientId}`);
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ code: 'application.not_found' });
  });

  it('refuses bad redirect URIs, origins and unknown fields with the failing field', async () => {
    const bad = async (body: Record<string, unknown>, path: string) => {
      const r = await p.api('POST', '/api/applications', {
        name: 'X',
        type: 'spa',
        redirectUris: ['https://a.example.test/cb'],
        ...body,
      });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('request.invalid');
      expect(JSON.stringify(r.body.details)).toContain(path);
    };
    await bad({ redirectUris: ['not a url'] }, 'redirectUris');
    await bad({ redirectUris: ['https://a.example.test/cb#frag'] }, 'redirectUris');
    await bad({ redirectUris: [] }, 'redirectUris');
    await bad({ corsOrigins: ['https://a.example.test/path'] }, 'corsOrigins');
    await bad({ type: 'daemon' }, 'type');
    await bad({ redirectUri: 'https://typo.example.test' }, 'redirectUri');
  });

  it('marks the provider cookies Secure, HttpOnly and SameSite=Lax on the issuer path when the public URL is https', async () => {
    const r = await p.api('POST', '/api/applications', {
      name: 'Secure',
      type: 'spa',
      redirectUris: ['https://s.example.test/cb'],
    });
    const q = new URLSearchParams({
      client_id: r.body.clientId,
      redirect_uri: 'https://s.example.test/cb',
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const res = await p.app.inject({ method: 'GET', url: `/oidc/auth?${q.toString()}` });
    expect(res.statusCode).toBe(303);
    expect(String(res.headers.location)).toMatch(/^\/oidc\/interaction\//);
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]);
    expect(cookies.length).toBeGreaterThan(0);
    for (const c of cookies.filter((x) => x.startsWith('postern_interaction'))) {
      expect(c.toLowerCase()).toContain('secure');
      expect(c.toLowerCase()).toContain('httponly');
      expect(c.toLowerCase()).toContain('samesite=lax');
      expect(c, c).toMatch(/path=\/oidc\/interaction\//i);
    }
  });

  it('lists newest first with limit and cursor, per tenant', async () => {
    for (let i = 0; i < 3; i++)
      expect(
        (
          await p.api('POST', '/api/applications', {
            name: `L${i}`,
            type: 'spa',
            redirectUris: ['https://l.example.test/cb'],
          })
        ).status,
      ).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: { items: Array<{ id: string }>; nextCursor: string | null } } = await p.api(
        'GET',
        `/api/applications?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.items.map((a) => a.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect((await p.api('GET', '/api/applications?limit=0')).status).toBe(400);

    expect((await p.api('POST', '/api/tenants', { id: 'other', name: 'Other', type: 'development' })).status).toBe(201);
    const other = await p.api('GET', '/t/other/api/applications');
    expect(other.body.items).toEqual([]);
    expect((await p.api('GET', `/t/other/api/applications/${seen[0]}`)).status).toBe(404);
  });
});

describe('CORS on the end-user APIs', () => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern('sqlite');
  });
  afterAll(async () => {
    await p?.close();
  });

  it("answers an application's registered origins and no others", async () => {
    const origin = 'https://spa.example.test';
    const call = (method: string, url: string, o: string, extra: Record<string, string> = {}) =>
      p.app.inject({ method: method as never, url, headers: { origin: o, ...extra } });
    const before = await call('OPTIONS', '/api/experience/sign-in/password', origin, {
      'access-control-request-method': 'POST',
    });
    expect(before.headers['access-control-allow-origin']).toBeUndefined();

    const r = await p.api('POST', '/api/applications', {
      name: 'SPA',
      type: 'spa',
      redirectUris: [`${origin}/cb`],
      corsOrigins: [origin],
    });
    expect(r.status).toBe(201);
    const pre = await call('OPTIONS', '/api/experience/sign-in/password', origin, {
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(origin);
    expect(String(pre.headers['access-control-allow-headers'])).toContain('content-type');
    const post = await p.app.inject({
      method: 'POST',
      url: '/api/experience/sign-in/password',
      headers: { origin, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'nobody@example.test', password: 'wrong password here' }),
    });
    expect(post.statusCode).toBe(401);
    expect(post.headers['access-control-allow-origin']).toBe(origin);
    expect((await call('GET', '/api/my-account', origin)).headers['access-control-allow-origin']).toBe(origin);

    // The provider's token endpoint: the registered origin may read its answer, a foreign one not.
    const token = (o: string) =>
      p.app.inject({
        method: 'POST',
        url: '/oidc/token',
        headers: { origin: o, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'not-a-code',
          redirect_uri: `${origin}/cb`,
          client_id: r.body.clientId,
          code_verifier: 'v'.repeat(43),
        }).toString(),
      });
    const mine = await token(origin);
    expect([mine.statusCode, mine.json().error, mine.headers['access-control-allow-origin']]).toEqual([
      400,
      'invalid_grant',
      origin,
    ]);
    const theirs = await token('https://evil.example.test');
    expect(theirs.headers['access-control-allow-origin']).toBeUndefined();

    for (const foreign of ['https://evil.example.test', `${origin}.evil.test`, 'null']) {
      const res = await call('OPTIONS', '/api/experience/sign-in/password', foreign, {
        'access-control-request-method': 'POST',
      });
      expect(res.headers['access-control-allow-origin'], foreign).toBeUndefined();
    }
    // The management API never answers CORS, whatever the origin.
    expect(
      (await call('GET', '/api/users', origin, { authorization: `Bearer ${p.adminKey}` })).headers[
        'access-control-allow-origin'
      ],
    ).toBeUndefined();
    // Another tenant's applications do not open this tenant.
    expect((await p.api('POST', '/api/tenants', { id: 'cors2', name: 'C2', type: 'development' })).status).toBe(201);
    expect(
      (
        await call('OPTIONS', '/t/cors2/api/experience/sign-in/password', origin, {
          'access-control-request-method': 'POST',
        })
      ).headers['access-control-allow-origin'],
    ).toBeUndefined();

    // Removing the origin closes it at once on this instance.
    expect((await p.api('PATCH', `/api/applications/${r.body.id}`, { corsOrigins: [] })).status).toBe(200);
    expect(
      (await call('OPTIONS', '/api/experience/sign-in/password', origin, { 'access-control-request-method': 'POST' }))
        .headers['access-control-allow-origin'],
    ).toBeUndefined();
  });
});
