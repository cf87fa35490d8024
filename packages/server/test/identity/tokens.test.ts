import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DIALECTS } from '../helpers.js';
import { startWorld, type World } from './setup.js';

describe.each(DIALECTS)('tokens on %s', (dialect) => {
  let w: World;
  let base: string;
  const tenant = `tok-${dialect}`;

  beforeAll(async () => {
    w = await startWorld(dialect);
    base = await w.p.app.listen({ port: 0, host: '127.0.0.1' });
    expect((await w.p.api('POST', '/api/tenants', { id: tenant, name: 'Tokens' })).status).toBe(201);
  });
  afterAll(async () => {
    await w?.close();
  });

  async function signIn(email: string, prefix = '') {
    const made = await w.p.api('POST', `${prefix}/api/users`, { email, password: 'token test password' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const r = await w.pub('POST', `${prefix}/api/experience/sign-in/password`, { email, password: 'token test password' });
    expect(r.status).toBe(200);
    return { user: made.body, tokens: r.body.tokens };
  }

  it('the access token verifies with jose against the JWKS route, with the SPEC claims', async () => {
    const { user, tokens } = await signIn(`jwt-${dialect}@example.test`);
    const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.accessToken, jwks, { issuer: 'https://auth.example.test', audience: 'default', algorithms: ['ES256'] });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: user.id, aud: 'default', email: `jwt-${dialect}@example.test`, email_verified: false, amr: ['pwd'] });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('another tenant has its own keys and issuer, and its tokens do not verify against the default JWKS', async () => {
    const { tokens } = await signIn(`jwt-t-${dialect}@example.test`, `/t/${tenant}`);
    const own = createRemoteJWKSet(new URL(`${base}/t/${tenant}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(tokens.accessToken, own, { issuer: `https://auth.example.test/t/${tenant}`, audience: tenant });
    expect(payload.aud).toBe(tenant);
    const other = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    await expect(jwtVerify(tokens.accessToken, other)).rejects.toThrow();
    // Nor is it accepted by the default tenant's account API.
    expect((await w.pub('GET', '/api/my-account', undefined, { authorization: `Bearer ${tokens.accessToken}` })).body.code).toBe('account.unauthorized');
  });

  it('rotation publishes a new key and keeps the previous one, so earlier tokens still verify', async () => {
    const { tokens } = await signIn(`rot-${dialect}@example.test`);
    const before = (await w.pub('GET', '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    const rot = await w.p.api('POST', '/api/signing-keys/rotate');
    expect(rot.status).toBe(200);
    const after = (await w.pub('GET', '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    expect(after[0]).toBe(rot.body.kid);
    expect(after).toContain(before[0]);
    expect(JSON.stringify((await w.pub('GET', '/.well-known/jwks.json')).body)).not.toMatch(/"d":/);
    const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    await jwtVerify(tokens.accessToken, jwks, { issuer: 'https://auth.example.test', audience: 'default' });
    const fresh = await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: tokens.refreshToken });
    const { protectedHeader } = await jwtVerify(fresh.body.accessToken, jwks);
    expect(protectedHeader.kid).toBe(rot.body.kid);
  });

  it('refresh tokens rotate; reusing a rotated one revokes the whole family', async () => {
    const { tokens } = await signIn(`refresh-${dialect}@example.test`);
    const r1 = await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: tokens.refreshToken });
    expect(r1.status).toBe(200);
    expect(r1.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900, tokenType: 'Bearer' });
    expect(r1.body.refreshToken).not.toBe(tokens.refreshToken);
    const reuse = await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: tokens.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('session.invalid_token');
    // The thief's reuse also killed the legitimate holder's newer token.
    expect((await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: r1.body.refreshToken })).body.code).toBe('session.invalid_token');
  });

  it('of concurrent refreshes with one token at most one succeeds', async () => {
    const { tokens } = await signIn(`race-${dialect}@example.test`);
    const results = await Promise.all(Array.from({ length: 8 }, () => w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: tokens.refreshToken })));
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(results.every((r) => r.status === 200 || r.body.code === 'session.invalid_token')).toBe(true);
  });

  it('sign-out revokes the family, and the access token stops working on the account API', async () => {
    const { tokens } = await signIn(`out-${dialect}@example.test`);
    const at = { authorization: `Bearer ${tokens.accessToken}` };
    expect((await w.pub('GET', '/api/my-account', undefined, at)).status).toBe(200);
    expect((await w.pub('POST', '/api/sign-out', { refreshToken: tokens.refreshToken })).status).toBe(204);
    expect((await w.pub('POST', '/api/token', { grantType: 'refresh_token', refreshToken: tokens.refreshToken })).status).toBe(401);
    expect((await w.pub('GET', '/api/my-account', undefined, at)).body.code).toBe('account.unauthorized');
  });

  it('documents the end-user routes as public in the OpenAPI document', async () => {
    const doc = await w.pub('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    for (const path of ['/api/experience/register', '/api/token', '/api/my-account', '/api/invitations/{token}', '/.well-known/jwks.json']) expect(doc.body.paths[path], path).toBeDefined();
    expect(doc.body.paths['/api/token'].post.security).toEqual([]);
  });

  it('stores refresh tokens and signing keys only hashed or encrypted', async () => {
    const { tokens } = await signIn(`store-${dialect}@example.test`);
    const db = w.p.services.db.kysely;
    const rows = JSON.stringify(await db.selectFrom('refresh_tokens').selectAll().execute());
    expect(rows).not.toContain(tokens.refreshToken);
    const keys = await db.selectFrom('signing_keys').selectAll().execute();
    for (const k of keys) expect(k.private_jwk).toMatch(/^v1\./);
  });
});
