import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../../src/lib/crypto.js';
import { migrate, openDatabase, type Db } from '../../src/storage/db.js';
import { createStores } from '../../src/storage/stores/index.js';
import { createIdentityStores } from '../../src/storage/stores/identity/index.js';
import type { IdentityStores, User } from '../../src/core/identity/ports.js';
import { DIALECTS, PG_URL, dropSchema } from '../helpers.js';

/** The identity stores' conformance suite, on SQLite and PostgreSQL. */
describe.each(DIALECTS)('identity stores on %s', (dialect) => {
  let db: Db;
  let s: IdentityStores;
  let dir: string;
  const schema = `si_${randomBytes(6).toString('hex')}`;
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  const user = (id: string, key: string | null, i: number): User => ({ id, tenantId: 't1', email: key, emailKey: key, emailVerified: false, name: null, passwordHash: null, mfaEmail: false, createdAt: at(i), updatedAt: at(i) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postern-istores-'));
    db = openDatabase(dialect === 'sqlite' ? `sqlite:${join(dir, 's.db')}` : PG_URL, dialect === 'postgres' ? { schema } : {});
    await migrate(db, dialect === 'postgres' ? schema : undefined);
    const base = createStores(db, new Keyring([randomBytes(32)]));
    await base.tenants.create({ id: 't1', name: 'One', type: 'production', createdAt: at(0) });
    await base.tenants.create({ id: 't2', name: 'Two', type: 'production', createdAt: at(0) });
    s = createIdentityStores(db);
  });
  afterAll(async () => {
    await db?.close();
    if (dialect === 'postgres') await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('users: one account per email key and tenant, concurrent creates included', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => s.users.create(user(`race${i}`, 'race@example.test', 1))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await s.users.create({ ...user('other-tenant', 'race@example.test', 1), tenantId: 't2' })).toBe(true);
    // Accounts without an email do not collide.
    expect(await s.users.create(user('n1', null, 2))).toBe(true);
    expect(await s.users.create(user('n2', null, 3))).toBe(true);
    expect(await s.users.update('t1', 'n1', { email: 'race@example.test', emailKey: 'race@example.test' }, at(4))).toBe('email_exists');
    expect(await s.users.update('t1', 'missing', { name: 'x' }, at(4))).toBe(false);
    expect((await s.users.findByEmailKey('t1', 'race@example.test'))?.tenantId).toBe('t1');
    expect(await s.users.get('t2', 'n1')).toBeUndefined();
  });

  it('refresh tokens: rotate once, reuse revokes the family, revokeUser keeps a family if asked', async () => {
    await s.users.create(user('rt', 'rt@example.test', 5));
    await s.refreshTokens.insert({ id: 'a', tenantId: 't1', userId: 'rt', familyId: 'f1', tokenHash: 'h-a', amr: ['pwd'], expiresAt: at(1000), createdAt: at(5) });
    const ok = await s.refreshTokens.rotate('t1', 'h-a', { id: 'b', tokenHash: 'h-b', expiresAt: at(1000), createdAt: at(6) }, at(6));
    expect(ok).toMatchObject({ outcome: 'ok', previous: { familyId: 'f1', userId: 'rt', amr: ['pwd'] } });
    expect(await s.refreshTokens.rotate('t2', 'h-b', { id: 'x', tokenHash: 'h-x', expiresAt: at(1000), createdAt: at(7) }, at(7))).toEqual({ outcome: 'invalid' });
    expect(await s.refreshTokens.rotate('t1', 'h-a', { id: 'c', tokenHash: 'h-c', expiresAt: at(1000), createdAt: at(7) }, at(7))).toEqual({ outcome: 'reused' });
    expect(await s.refreshTokens.familyActive('t1', 'f1', at(8))).toBe(false);
    expect((await s.refreshTokens.rotate('t1', 'h-b', { id: 'd', tokenHash: 'h-d', expiresAt: at(1000), createdAt: at(8) }, at(8))).outcome).toBe('reused');
    await s.refreshTokens.insert({ id: 'e', tenantId: 't1', userId: 'rt', familyId: 'f2', tokenHash: 'h-e', amr: ['otp'], expiresAt: at(1000), createdAt: at(9) });
    await s.refreshTokens.insert({ id: 'g', tenantId: 't1', userId: 'rt', familyId: 'f3', tokenHash: 'h-g', amr: ['otp'], expiresAt: at(1000), createdAt: at(9) });
    expect(await s.refreshTokens.revokeUser('t1', 'rt', 'f3')).toBe(1);
    expect(await s.refreshTokens.familyActive('t1', 'f2', at(10))).toBe(false);
    expect(await s.refreshTokens.familyActive('t1', 'f3', at(10))).toBe(true);
    expect(await s.refreshTokens.rotate('t1', 'h-g', { id: 'h', tokenHash: 'h-h', expiresAt: at(1000), createdAt: at(2000) }, at(2000))).toEqual({ outcome: 'invalid' });
  });

  it('refresh tokens: of concurrent rotations of one token exactly one wins', async () => {
    await s.refreshTokens.insert({ id: 'r0', tenantId: 't1', userId: 'rt', familyId: 'fr', tokenHash: 'h-r0', amr: ['pwd'], expiresAt: at(1000), createdAt: at(11) });
    const out = await Promise.all(Array.from({ length: 6 }, (_, i) => s.refreshTokens.rotate('t1', 'h-r0', { id: `r${i + 1}`, tokenHash: `h-r${i + 1}`, expiresAt: at(1000), createdAt: at(12) }, at(12))));
    expect(out.filter((o) => o.outcome === 'ok').length).toBeLessThanOrEqual(1);
    expect(out.some((o) => o.outcome === 'reused')).toBe(true);
  });

  it('refresh tokens: purge deletes those expired before the cut-off, in batches, and no others', async () => {
    for (let i = 0; i < 5; i++) await s.refreshTokens.insert({ id: `p${i}`, tenantId: 't1', userId: 'rt', familyId: 'fp', tokenHash: `h-p${i}`, amr: ['otp'], expiresAt: at(3000 + i), createdAt: at(1) });
    await s.refreshTokens.insert({ id: 'p-live', tenantId: 't1', userId: 'rt', familyId: 'fq', tokenHash: 'h-p-live', amr: ['otp'], expiresAt: at(9000), createdAt: at(1) });
    // The earlier tests' tokens expire at(1000): out of the way first.
    while ((await s.refreshTokens.purge(at(2000), 100)) > 0);
    expect(await s.refreshTokens.purge(at(3003), 2)).toBe(2);
    expect(await s.refreshTokens.purge(at(3003), 2)).toBe(1);
    expect(await s.refreshTokens.purge(at(3003), 2)).toBe(0);
    // The live one still rotates; the purged ones are simply invalid.
    expect((await s.refreshTokens.rotate('t1', 'h-p-live', { id: 'p-next', tokenHash: 'h-p-next', expiresAt: at(9000), createdAt: at(3004) }, at(3004))).outcome).toBe('ok');
    expect(await s.refreshTokens.rotate('t1', 'h-p0', { id: 'p-x', tokenHash: 'h-p-x', expiresAt: at(9000), createdAt: at(3004) }, at(3004))).toEqual({ outcome: 'invalid' });
    expect(await s.refreshTokens.familyActive('t1', 'fp', at(3002))).toBe(true); // p3 and p4 remain
  });

  it('grants: bound to tenant and kind, consumed once, expire', async () => {
    await s.grants.insert({ tokenHash: 'g1', tenantId: 't1', kind: 'mfa', userId: 'rt', email: null, emailKey: null, data: { amr: ['pwd'] }, expiresAt: at(100), createdAt: at(1) });
    expect((await s.grants.find('t1', 'mfa', 'g1', at(2)))?.data).toEqual({ amr: ['pwd'] });
    expect(await s.grants.find('t1', 'identity', 'g1', at(2))).toBeUndefined();
    expect(await s.grants.find('t2', 'mfa', 'g1', at(2))).toBeUndefined();
    expect(await s.grants.find('t1', 'mfa', 'g1', at(100))).toBeUndefined();
    const consumed = await Promise.all([1, 2, 3].map(() => s.grants.consume('t1', 'mfa', 'g1', at(3))));
    expect(consumed.filter(Boolean)).toHaveLength(1);
    expect(await s.grants.find('t1', 'mfa', 'g1', at(4))).toBeUndefined();
    await s.grants.insert({ tokenHash: 'g2', tenantId: 't1', kind: 'identity', userId: 'rt', email: null, emailKey: null, data: null, expiresAt: at(100), createdAt: at(1) });
    await s.grants.revokeUser('t1', 'rt', at(5));
    expect(await s.grants.find('t1', 'identity', 'g2', at(6))).toBeUndefined();
    expect(await s.grants.purge(at(101))).toBeGreaterThanOrEqual(2);
  });

  it('signing keys: one first key per tenant and algorithm under a race; a demoted key is published until it retires', async () => {
    const key = (kid: string, alg: 'ES256' | 'RS256' = 'ES256') => ({ kid, tenantId: 't1', alg, status: 'current' as const, publicJwk: { kid }, privateJwk: 'v1.x', createdAt: at(20), retireAt: null });
    const first = await Promise.all(['k1', 'k2', 'k3'].map((k) => s.signingKeys.insertFirst(key(k))));
    expect(first.filter(Boolean)).toHaveLength(1);
    // The RSA key is another algorithm: it does not collide with the ES256 one.
    const rsa = await Promise.all(['r1', 'r2'].map((k) => s.signingKeys.insertFirst(key(k, 'RS256'))));
    expect(rsa.filter(Boolean)).toHaveLength(1);
    const es = (await s.signingKeys.published('t1', at(20))).find((k) => k.alg === 'ES256')!.kid;
    const rs = (await s.signingKeys.published('t1', at(20))).find((k) => k.alg === 'RS256')!.kid;
    // Two ES256 rotations within the retention: both demoted keys stay published, the RSA key is untouched.
    await s.signingKeys.rotate({ ...key('k4'), createdAt: at(21) }, at(100), at(21));
    await s.signingKeys.rotate({ ...key('k5'), createdAt: at(22) }, at(101), at(22));
    const pub = await s.signingKeys.published('t1', at(50));
    expect(pub.map((k) => [k.kid, k.alg, k.status])).toEqual([
      ['k5', 'ES256', 'current'],
      [rs, 'RS256', 'current'],
      ['k4', 'ES256', 'previous'],
      [es, 'ES256', 'previous'],
    ]);
    expect(pub.find((k) => k.kid === 'k4')?.retireAt).toBe(at(101));
    // Past their retirement they are no longer published, and the next rotation retires them.
    expect((await s.signingKeys.published('t1', at(100))).map((k) => k.kid)).toEqual(['k5', rs, 'k4']);
    await s.signingKeys.rotate({ ...key('r3', 'RS256'), createdAt: at(102) }, at(200), at(102));
    expect((await s.signingKeys.published('t1', at(102))).map((k) => [k.kid, k.status])).toEqual([
      ['r3', 'current'],
      ['k5', 'current'],
      [rs, 'previous'],
    ]);
    expect(await s.signingKeys.published('t2', at(102))).toEqual([]);
  });

  it('organizations: invitations accept once, revoke only pending, members listed', async () => {
    await s.organizations.create({ id: 'o1', tenantId: 't1', name: 'Acme', createdAt: at(30) });
    await s.users.create(user('m1', 'm1@example.test', 31));
    const inv = { id: 'i1', tenantId: 't1', organizationId: 'o1', email: 'm1@example.test', emailKey: 'm1@example.test', inviterId: null, tokenHash: 'th1', status: 'pending' as const, expiresAt: at(1000), createdAt: at(31), updatedAt: at(31) };
    await s.organizations.insertInvitation(inv);
    expect((await s.organizations.findInvitationByHash('t1', 'th1'))?.id).toBe('i1');
    expect(await s.organizations.findInvitationByHash('t2', 'th1')).toBeUndefined();
    const accepted = await Promise.all([1, 2, 3].map(() => s.organizations.acceptInvitation('t1', 'i1', 'm1', at(32))));
    expect(accepted.filter(Boolean)).toHaveLength(1);
    expect(await s.organizations.revokeInvitation('t1', 'i1', at(33))).toBe(false);
    expect((await s.organizations.members('t1', 'o1', { limit: 10 })).items).toEqual([{ userId: 'm1', email: 'm1@example.test', name: null, createdAt: at(32) }]);
    await s.organizations.insertInvitation({ ...inv, id: 'i2', tokenHash: 'th2', expiresAt: at(40) });
    expect(await s.organizations.acceptInvitation('t1', 'i2', 'm1', at(41))).toBe(false);
    expect(await s.organizations.replaceInvitationToken('t1', 'i2', 'th3', at(42))).toBe(true);
    expect(await s.organizations.revokeInvitation('t1', 'i2', at(43))).toBe(true);
    expect(await s.organizations.replaceInvitationToken('t1', 'i2', 'th4', at(44))).toBe(false);
    expect((await s.organizations.listInvitations('t1', 'o1', { limit: 1 })).nextCursor).not.toBeNull();
    // Deleting a user takes their memberships and sessions along.
    expect(await s.users.delete('t1', 'm1')).toBe(true);
    expect((await s.organizations.members('t1', 'o1', { limit: 10 })).items).toEqual([]);
  });
});
