import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers.js';
import { startWorld, type World } from './setup.js';

describe.each(DIALECTS)('email normalisation on %s', (dialect) => {
  let w: World;
  const password = 'normalised password';

  beforeAll(async () => {
    w = await startWorld(dialect);
  });
  afterAll(async () => {
    await w?.close();
  });

  const signIn = (email: string) => w.pub('POST', '/api/experience/sign-in/password', { email, password });

  it('MIKE@EXAMPLE.TEST and a trailing-dot domain map to the one account mike@example.test', async () => {
    const made = await w.p.api('POST', '/api/users', { email: 'mike@example.test', password });
    expect(made.status).toBe(201);
    for (const variant of ['MIKE@EXAMPLE.TEST', 'mike@example.test.', '  Mike@Example.Test. ']) {
      const r = await signIn(variant);
      expect(r.status, variant).toBe(200);
      const sub = JSON.parse(Buffer.from(r.body.tokens.accessToken.split('.')[1], 'base64url').toString()).sub;
      expect(sub).toBe(made.body.id);
    }
    const dup = await w.p.api('POST', '/api/users', { email: 'MIKE@EXAMPLE.TEST.' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('user.email_exists');
    expect((await w.p.api('GET', '/api/users?search=MIKE@EXAMPLE')).body.items).toHaveLength(1);
  });

  it('an IDN domain in Unicode and in punycode is one account, stored in ASCII', async () => {
    const made = await w.p.api('POST', '/api/users', { email: 'ana@Bücher.Example', password });
    expect(made.status).toBe(201);
    expect(made.body.email).toBe('ana@xn--bcher-kva.example');
    expect((await signIn('ANA@xn--bcher-kva.example.')).status).toBe(200);
    expect((await signIn('ana@BÜCHER.example')).status).toBe(200);
    expect((await w.p.api('POST', '/api/users', { email: 'Ana@xn--bcher-kva.EXAMPLE' })).body.code).toBe('user.email_exists');
  });

  it('a code asked for with another spelling goes to the stored address and signs in the same account', async () => {
    const made = await w.p.api('POST', '/api/users', { email: 'Zoe.Q@example.test' });
    const s = await w.pub('POST', '/api/experience/verification-codes', { email: 'ZOE.Q@EXAMPLE.TEST.', intent: 'sign-in' });
    expect(s.status).toBe(202);
    const code = await w.code('Zoe.Q@example.test', 1);
    const r = await w.pub('POST', '/api/experience/sign-in/verification-code', { email: 'zoe.q@example.test', verificationId: s.body.verificationId, code });
    expect(r.status).toBe(200);
    expect(JSON.parse(Buffer.from(r.body.tokens.accessToken.split('.')[1], 'base64url').toString()).sub).toBe(made.body.id);
  });

  it('refuses addresses with CR/LF, quotes or comments', async () => {
    for (const bad of ['a@example.test\r\nBcc: x@evil.test', '"q"@example.test', 'a(comment)@example.test']) {
      const r = await w.pub('POST', '/api/experience/verification-codes', { email: bad, intent: 'sign-in' });
      expect(r.status, bad).toBe(400);
      expect(r.body.code).toBe('request.invalid');
    }
  });
});
