import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from '../../server/test/helpers.js';
import { createPosternClient, PosternError, parseRetryAfter, unwrap, type PosternClient } from '../src/index.js';

/** Real time, plus an offset the test moves forward to let codes expire. */
class OffsetClock {
  offset = 0;
  now = () => new Date(Date.now() + this.offset);
}

/** The code in the last captured message to `to` (the text part's line that holds only the code). */
async function codeFor(client: PosternClient, to: string): Promise<string> {
  for await (const m of client.paginate('/api/mailbox', { query: { limit: 200 } })) {
    if (m.to !== to) continue;
    const full = await unwrap(client.api.GET('/api/mailbox/{id}', { params: { path: { id: m.id } } }));
    const code = /^\s*([0-9A-Z]{4,10})\s*$/m.exec(full.text)?.[1];
    if (code) return code;
  }
  throw new Error(`no code sent to ${to}`);
}

const wrong = (code: string) => code.slice(0, -1) + (code.endsWith('1') ? '2' : '1');

describe('the client against a running Postern', () => {
  let p: TestPostern;
  let url: string;
  let client: PosternClient;
  const clock = new OffsetClock();
  let n = 0;
  const addr = () => `client-${++n}@example.test`;

  beforeAll(async () => {
    p = await startPostern('sqlite', {}, { clock });
    url = await p.app.listen({ port: 0, host: '127.0.0.1' });
    client = createPosternClient({ baseUrl: url, apiKey: p.adminKey });
    await unwrap(
      client.api.PATCH('/api/verification-code-policy', {
        body: { resendCooldownSeconds: 0, maxSendsPerRecipientPerHour: 1000, maxAttempts: 3 },
      }),
    );
  });
  afterAll(async () => {
    await p?.close();
  });

  it('sends a code and verifies it once; a second use is not_found', async () => {
    const email = addr();
    const sent = await client.sendCode({ email });
    expect(sent).toEqual({ verificationId: expect.any(String), expiresAt: expect.any(String) });
    const code = await codeFor(client, email);
    expect(await client.verifyCode({ verificationId: sent.verificationId, email, code })).toEqual({ ok: true });
    const again = await client.verifyCode({ verificationId: sent.verificationId, email, code });
    expect(again.ok).toBe(false);
    if (!again.ok) {
      expect(again.reason).toBe('not_found');
      expect(again.error.status).toBe(404);
      expect(again.error.code).toBe('verification_code.not_found');
    }
  });

  it('answers a wrong code with mismatch, then exhausted after maxAttempts', async () => {
    const email = addr();
    const sent = await client.sendCode({ email, templateType: 'SignIn' });
    const code = await codeFor(client, email);
    const first = await client.verifyCode({
      verificationId: sent.verificationId,
      email,
      code: wrong(code),
      templateType: 'SignIn',
    });
    expect(first).toMatchObject({ ok: false, reason: 'mismatch' });
    const reasons: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await client.verifyCode({
        verificationId: sent.verificationId,
        email,
        code: wrong(code),
        templateType: 'SignIn',
      });
      reasons.push(r.ok ? 'ok' : r.reason);
    }
    expect(reasons).toContain('exhausted');
    expect(reasons.indexOf('exhausted')).toBeGreaterThan(0);
    // Even the right code no longer works once the attempts are used up.
    const late = await client.verifyCode({ verificationId: sent.verificationId, email, code, templateType: 'SignIn' });
    expect(late.ok).toBe(false);
  });

  it('answers an old code with expired', async () => {
    const email = addr();
    const sent = await client.sendCode({ email });
    const code = await codeFor(client, email);
    clock.offset += Date.parse(sent.expiresAt) - Date.now() + 60_000;
    const r = await client.verifyCode({ verificationId: sent.verificationId, email, code });
    expect(r).toMatchObject({
      ok: false,
      reason: 'expired',
      error: { status: 400, code: 'verification_code.expired' },
    });
  });

  it('answers locked once the address has used up its lockout budget, with the wait', async () => {
    const policy = await unwrap(client.api.GET('/api/verification-code-policy'));
    await unwrap(
      client.api.PATCH('/api/verification-code-policy', {
        body: { lockout: { maxFailures: 2, windowSeconds: 600, lockSeconds: 600 } },
      }),
    );
    try {
      const email = addr();
      const sent = await client.sendCode({ email });
      const code = await codeFor(client, email);
      const reasons: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await client.verifyCode({ verificationId: sent.verificationId, email, code: wrong(code) });
        reasons.push(r.ok ? 'ok' : r.reason);
      }
      expect(reasons).toEqual(['mismatch', 'mismatch', 'locked']);
      const locked = await client.verifyCode({ verificationId: sent.verificationId, email, code });
      expect(locked).toMatchObject({
        ok: false,
        reason: 'locked',
        error: { status: 429, code: 'verification_code.locked' },
      });
      if (!locked.ok) expect(locked.error.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      await unwrap(client.api.PATCH('/api/verification-code-policy', { body: { lockout: policy.lockout } }));
    }
  });

  it('throws unexpected answers as PosternError with status, code, message and details', async () => {
    const bad = await client.sendCode({ email: 'not-an-address' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(PosternError);
    const e = bad as PosternError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('request.invalid');
    expect(e.message).not.toBe('');
    expect(e.issues.map((i) => i.path)).toContain('email');

    const anon = createPosternClient({ baseUrl: url, apiKey: 'not-a-real-key-not-a-real-key' });
    await expect(anon.sendCode({ email: addr() })).rejects.toMatchObject({
      name: 'PosternError',
      status: 401,
      code: 'auth.unauthorized',
    });
    await expect(anon.verifyCode({ verificationId: 'x', email: addr(), code: '123456' })).rejects.toMatchObject({
      status: 401,
      code: 'auth.unauthorized',
    });

    const email = addr();
    await unwrap(client.api.POST('/api/users', { body: { email } }));
    await expect(unwrap(client.api.POST('/api/users', { body: { email } }))).rejects.toMatchObject({
      status: 409,
      code: 'user.email_exists',
    });
  });

  it('turns an unreachable server into network.error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const c = createPosternClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: p.adminKey });
    await expect(c.sendCode({ email: addr() })).rejects.toMatchObject({
      name: 'PosternError',
      status: 0,
      code: 'network.error',
    });
  });

  it('pages through a whole list, following nextCursor', async () => {
    const made = new Set<string>();
    for (let i = 0; i < 7; i++)
      made.add(
        (await unwrap(client.api.POST('/api/users', { body: { email: `pager-${i}@example.test`, name: 'Pager' } }))).id,
      );
    const seen: string[] = [];
    let pages = 0;
    const countingFetch = (req: Request) => {
      if (new URL(req.url).pathname === '/api/users') pages++;
      return fetch(req);
    };
    const c = createPosternClient({ baseUrl: url, apiKey: p.adminKey, fetch: countingFetch });
    for await (const u of c.paginate('/api/users', { query: { limit: 2, search: 'pager-' } })) seen.push(u.id);
    expect(new Set(seen)).toEqual(made);
    expect(seen).toHaveLength(7);
    expect(pages).toBe(4);

    // A list under a path parameter.
    const org = await unwrap(client.api.POST('/api/organizations', { body: { name: 'Pagers' } }));
    const members = [];
    for await (const m of client.paginate('/api/organizations/{id}/members', { path: { id: org.id } })) members.push(m);
    expect(members).toEqual([]);
  });

  it('works per tenant', async () => {
    await unwrap(client.api.POST('/api/tenants', { body: { id: 'client-acme', name: 'Acme', type: 'development' } }));
    const acme = client.forTenant('client-acme');
    const email = addr();
    const sent = await acme.sendCode({ email });
    const code = await codeFor(acme, email);
    // The default tenant knows nothing of this verification.
    expect(await client.verifyCode({ verificationId: sent.verificationId, email, code })).toMatchObject({
      ok: false,
      reason: 'not_found',
    });
    expect(await acme.verifyCode({ verificationId: sent.verificationId, email, code })).toEqual({ ok: true });
  });

  it('waits out a short Retry-After when asked to, and returns a long one as an error', async () => {
    await unwrap(client.api.PATCH('/api/verification-code-policy', { body: { resendCooldownSeconds: 1 } }));
    try {
      const email = addr();
      await client.sendCode({ email });
      // Without retry, the cooldown answers 429 with Retry-After.
      const limited = (await client.sendCode({ email }).catch((e: unknown) => e)) as PosternError;
      expect(limited).toBeInstanceOf(PosternError);
      expect(limited.status).toBe(429);
      expect(limited.code).toBe('verification_code.rate_limited');
      expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(1);

      // With retry, the client waits and the send goes through.
      const patient = createPosternClient({
        baseUrl: url,
        apiKey: p.adminKey,
        retry: { maxRetries: 3, maxDelaySeconds: 5 },
      });
      const other = addr();
      await patient.sendCode({ email: other });
      const second = await patient.sendCode({ email: other });
      expect(second.verificationId).toEqual(expect.any(String));
    } finally {
      await unwrap(client.api.PATCH('/api/verification-code-policy', { body: { resendCooldownSeconds: 0 } }));
    }

    await unwrap(client.api.PATCH('/api/verification-code-policy', { body: { maxSendsPerRecipientPerHour: 1 } }));
    try {
      const email = addr();
      const patient = createPosternClient({
        baseUrl: url,
        apiKey: p.adminKey,
        retry: { maxRetries: 3, maxDelaySeconds: 5 },
      });
      await patient.sendCode({ email });
      const e = (await patient.sendCode({ email }).catch((x: unknown) => x)) as PosternError;
      expect(e).toBeInstanceOf(PosternError);
      expect(e.code).toBe('verification_code.rate_limited');
      expect(e.retryAfterSeconds).toBeGreaterThan(5);
    } finally {
      await unwrap(client.api.PATCH('/api/verification-code-policy', { body: { maxSendsPerRecipientPerHour: 1000 } }));
    }
  });
});

describe('retry bounds', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  beforeAll(async () => {
    // A peer that is always rate limited, with Retry-After: 0.
    server = createServer((req, res) => {
      hits++;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(
        JSON.stringify({
          code: 'verification_code.rate_limited',
          message: 'Too many codes requested; try again later.',
          details: {},
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('stops after maxRetries and throws the last 429', async () => {
    hits = 0;
    const c = createPosternClient({ baseUrl: base, apiKey: 'k', retry: { maxRetries: 2 } });
    await expect(c.sendCode({ email: 'a@example.test' })).rejects.toMatchObject({
      status: 429,
      code: 'verification_code.rate_limited',
      retryAfterSeconds: 0,
    });
    expect(hits).toBe(3);
  });

  it('does not retry unless asked', async () => {
    hits = 0;
    const c = createPosternClient({ baseUrl: base, apiKey: 'k' });
    await expect(c.sendCode({ email: 'a@example.test' })).rejects.toMatchObject({ status: 429 });
    expect(hits).toBe(1);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
