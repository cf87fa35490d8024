import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DIALECTS } from '../helpers.js';
import { bearer, startWorld, type World } from './setup.js';

/**
 * The public account and magic-link routes (SPEC §8, §9, §19) — the ones that unknown-
 * recipient notices, account-security mail and magic links sit behind — fed what a hostile
 * or broken client sends: malformed JSON, other media types, wrong types, huge strings,
 * odd Unicode, missing fields. Never a 5xx; every refusal in the SPEC §2 shape. Then known
 * and unknown addresses compared on each route that takes an address.
 */

const ORIGIN = 'https://auth.example.test';
/** A validator's words or a schema path: they belong in details.issues, never in message (SPEC §2). */
const VALIDATOR = /body\.|Invalid input|expected \w+, received|Too (small|big)|\(root\)/;
const STACK = /\bat .+\.(ts|js|mjs):\d+/;

type Answer = { status: number; body: any; headers: Record<string, unknown> };

/** SPEC §2: below 500; a refusal is JSON `{code: "area.reason", message: sentence, details?: object}`. */
function spec2(r: Answer, label: string) {
  expect(r.status, label).toBeLessThan(500);
  if (r.status < 400) return;
  expect(String(r.headers['content-type']), label).toMatch(/^application\/json/);
  expect(r.body, label).toBeTypeOf('object');
  expect(r.body.code, label).toMatch(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/);
  expect(typeof r.body.message, label).toBe('string');
  expect(r.body.message.length, label).toBeGreaterThan(0);
  expect(r.body.message, label).not.toMatch(VALIDATOR);
  if (r.body.details !== undefined) {
    expect(r.body.details, label).toBeTypeOf('object');
    expect(Array.isArray(r.body.details), label).toBe(false);
  }
  expect(JSON.stringify(r.body), label).not.toMatch(STACK);
}

/** Bodies that are not the JSON the routes expect, sent as raw bytes. */
const RAW: Array<{ label: string; payload: string | Buffer; type?: string; malformed?: true }> = [
  { label: 'truncated object', malformed: true, payload: '{' },
  { label: 'truncated member', malformed: true, payload: '{"email":' },
  { label: 'trailing comma', malformed: true, payload: '{"email":"a@example.test",}' },
  { label: 'single quotes', malformed: true, payload: "{'email':'a@example.test'}" },
  { label: 'two documents', malformed: true, payload: '{"email":"a@example.test"}{"x":1}' },
  { label: 'empty body with a JSON type', payload: '' },
  { label: 'null', payload: 'null' },
  { label: 'array', malformed: true, payload: '[{"email":"a@example.test"}]' },
  { label: 'string', malformed: true, payload: '"a@example.test"' },
  { label: 'number', malformed: true, payload: '1e309' },
  { label: 'true', malformed: true, payload: 'true' },
  { label: 'deep nesting', malformed: true, payload: '['.repeat(10_000) + ']'.repeat(10_000) },
  { label: 'deep object', payload: '{"email":' + '{"a":'.repeat(2_000) + '1' + '}'.repeat(2_001) },
  { label: 'prototype pollution', payload: '{"__proto__":{"admin":true},"email":"a@example.test","intent":"sign-in"}' },
  { label: 'constructor pollution', payload: '{"constructor":{"prototype":{"admin":true}},"email":"a@example.test"}' },
  { label: 'duplicate keys', payload: '{"email":"a@example.test","email":{"$ne":null},"intent":"sign-in"}' },
  { label: 'lone surrogate', payload: '{"email":"\\ud800@example.test","intent":"sign-in","token":"\\udfff","code":"\\ud800"}' },
  { label: 'NUL characters', payload: '{"email":"a\\u0000@example.test","intent":"sign-in\\u0000","password":"\\u0000"}' },
  { label: 'invalid UTF-8', payload: Buffer.from([0x7b, 0x22, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]) },
  { label: 'UTF-16 with a BOM', malformed: true, payload: Buffer.from('\ufeff{"email":"a@example.test"}', 'utf16le') },
  { label: 'a 900 kB address', payload: JSON.stringify({ email: `${'a'.repeat(900_000)}@example.test`, intent: 'sign-in', code: '1'.repeat(1000) }) },
  { label: 'text/plain', payload: '{"email":"a@example.test","intent":"sign-in"}', type: 'text/plain' },
  { label: 'a form post', payload: 'email=a%40example.test&intent=sign-in', type: 'application/x-www-form-urlencoded' },
  { label: 'multipart', payload: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.test\r\n--x--\r\n', type: 'multipart/form-data; boundary=x' },
  { label: 'JSON declared UTF-16', payload: '{"email":"a@example.test"}', type: 'application/json; charset=utf-16' },
  { label: 'no content type', payload: '{"email":"a@example.test"}', type: '' },
];

const weird = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    'x'.repeat(100_000),
    '\u202eevil@example.test',
    'ａｄｍｉｎ@ｅｘａｍｐｌｅ.test',
    'Ünïcödé@bücher.example',
    '😀@😀.example',
    'a@例え.テスト',
    '\r\nBcc: victim@example.test',
    'a@example.test\u0000.evil.test',
    '"quoted local"@example.test',
    'a@[127.0.0.1]',
    '<script>alert(1)</script>@example.test',
    '../../etc/passwd',
    '{{constructor.constructor}}',
    '__proto__',
    '',
    ' ',
  ),
);
const value = fc.oneof(
  { weight: 3, arbitrary: weird },
  fc.emailAddress(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, -0),
  fc.array(weird, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', '$ne', 'email'), weird, { maxKeys: 2 }),
);
const FIELDS = ['email', 'intent', 'code', 'verificationId', 'password', 'newPassword', 'token', 'redirectTo', 'locale', 'captchaToken', 'mfaToken', 'identityVerificationToken', 'name', 'enabled'] as const;
const body = fc.oneof(
  { weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 5 }) },
  { weight: 1, arbitrary: value },
);

describe('fuzz of the public account and magic-link routes', () => {
  let w: World;
  let routes: Array<{ method: string; path: string }>;
  let auth: Record<string, string>;

  beforeAll(async () => {
    w = await startWorld('sqlite');
    const x = await w.p.api('PATCH', '/api/sign-in-experience', {
      signIn: { methods: [{ identifier: 'email', password: true, verificationCode: true, magicLink: true }] },
      notifyUnknownRecipients: true,
      mfa: { factors: ['email'], policy: 'user-controlled' },
    });
    expect(x.status, JSON.stringify(x.body)).toBe(200);
    // A signed-in account, so that the account routes get past their bearer check.
    const email = 'fuzz-account@example.test';
    const s = await w.pub('POST', '/api/experience/verification-codes', { email, intent: 'register' });
    const r = await w.pub('POST', '/api/experience/register', { email, verificationId: s.body.verificationId, code: await w.code(email, 1), password: 'fuzz account password' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    auth = bearer(r.body.tokens.accessToken);
    const doc = (await w.p.api('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths)
      .filter(([path]) => /^\/api\/(experience|my-account)(\/|$)/.test(path))
      .flatMap(([path, ops]) => Object.keys(ops).filter((m) => ['post', 'put', 'patch', 'delete'].includes(m)).map((m) => ({ method: m.toUpperCase(), path })));
  });
  afterAll(async () => {
    await w?.close();
  });

  /** One call with raw bytes, as a client that is not a browser sends them. */
  async function raw(method: string, url: string, payload: string | Buffer, type: string | undefined, headers: Record<string, string>): Promise<Answer> {
    const res = await w.p.app.inject({
      method: method as never,
      url,
      headers: { ...(type === '' ? {} : { 'content-type': type ?? 'application/json' }), origin: ORIGIN, ...headers },
      payload,
    });
    let parsed: unknown = res.body;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      // not JSON: spec2 says so
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }

  it('the routes under test are the ones magic links, notices and the account API use', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    for (const p of [
      'POST /api/experience/verification-codes',
      'POST /api/experience/magic-links',
      'POST /api/experience/magic-links/consume',
      'POST /api/experience/forgot-password',
      'POST /api/experience/sign-in/verification-code',
      'POST /api/experience/sign-in/password',
      'POST /api/my-account/password',
      'PUT /api/my-account/primary-email',
      'POST /api/my-account/identity-verifications',
    ])
      expect(paths).toContain(p);
  });

  it('malformed JSON, other media types, deep nesting, bad Unicode and huge strings: never a 5xx, always the SPEC shape', async () => {
    for (const r of routes) {
      for (const headers of [{}, auth, { 'x-postern-csrf': 'made-up', cookie: 'postern_ml_csrf=made-up' }]) {
        for (const c of RAW) {
          const label = `${r.method} ${r.path} with ${c.label}${headers === auth ? ' (signed in)' : ''}`;
          const a = await raw(r.method, r.path, c.payload, c.type, headers);
          spec2(a, label);
          // A body that is not a JSON object is never accepted.
          if (c.malformed) expect(a.status, label).toBeGreaterThanOrEqual(400);
        }
      }
    }
  }, 180_000);

  it('a body over 1 MB is 413 request.too_large on every one of them', async () => {
    const big = JSON.stringify({ email: `${'b'.repeat(1_100_000)}@example.test`, intent: 'sign-in' });
    for (const r of routes) {
      const a = await raw(r.method, r.path, big, undefined, auth);
      spec2(a, `${r.method} ${r.path}`);
      expect(a.status, `${r.method} ${r.path}`).toBe(413);
      expect(a.body.code).toBe('request.too_large');
    }
  });

  it('wrong types, missing fields, odd Unicode and huge strings in every field: never a 5xx, always the SPEC shape', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, fc.boolean(), async (r, b, signedIn) => {
        const a = await raw(r.method, r.path, JSON.stringify(b) ?? 'null', undefined, signedIn ? auth : {});
        spec2(a, `${r.method} ${r.path} ${JSON.stringify(b)?.slice(0, 300)}`);
        seen.add(a.status >= 400 ? a.body.code : String(a.status));
      }),
      { numRuns: 600 },
    );
    // The bodies reached the routes' own checks, not only the front door.
    // (validation, the account's own refusals, and some that were accepted).
    expect([...seen]).toContain('request.invalid');
    expect([...seen].some((c) => c.startsWith('account.')), [...seen].join(', ')).toBe(true);
    expect([...seen].some((c) => /^2\d\d$/.test(c)), [...seen].join(', ')).toBe(true);
  }, 180_000);

  it('the confirmation page of a magic link takes any path segment without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.constantFrom('x'.repeat(5_000), '%00', '..%2f..%2f', '%E0%A4%A', 'a.b.c')), async (seg) => {
        for (const method of ['GET', 'HEAD'] as const) {
          const g = await w.p.app.inject({ method, url: `/magic-link/${encodeURIComponent(seg)}` });
          expect(g.statusCode, seg).toBeLessThan(500);
        }
        const raw = await w.p.app.inject({ method: 'GET', url: `/magic-link/${seg.replace(/[\s#?]/g, '')}` });
        expect(raw.statusCode, seg).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  });
});

/** The shape of an answer with its values' types, so two answers compare without their random ids. */
const shape = (r: Answer) => ({ status: r.status, body: r.body && typeof r.body === 'object' ? Object.fromEntries(Object.entries(r.body).map(([k, v]) => [k, typeof v])) : r.body });

describe.each(DIALECTS)('known and unknown addresses on the magic-link and account routes on %s', (dialect) => {
  let w: World;
  let n = 0;
  const known = `known-${dialect}@example.test`;
  const unknown = () => `unknown${++n}-${dialect}@example.test`;
  const experience = async (patch: unknown) => {
    const r = await w.p.api('PATCH', '/api/sign-in-experience', patch);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  beforeAll(async () => {
    w = await startWorld(dialect);
    await experience({ signIn: { methods: [{ identifier: 'email', password: true, verificationCode: true, magicLink: true }] } });
    expect((await w.p.api('POST', '/api/users', { email: known, password: 'known password 1' })).status).toBe(201);
  });
  afterAll(async () => {
    await w?.close();
  });

  /** Every setting the answer must not depend on: sign-up on/off, unknown-recipient notices on/off. */
  const SETTINGS = [
    { signUp: { enabled: true }, notifyUnknownRecipients: false },
    { signUp: { enabled: false }, notifyUnknownRecipients: false },
    { signUp: { enabled: false }, notifyUnknownRecipients: true },
  ];

  it('asking for a magic link or a code answers the same status and shape, whatever the settings', async () => {
    for (const settings of SETTINGS) {
      await experience(settings);
      for (const [url, intent] of [
        ['/api/experience/magic-links', 'sign-in'],
        ['/api/experience/verification-codes', 'sign-in'],
        ['/api/experience/verification-codes', 'forgot-password'],
      ] as const) {
        const label = `${url} ${intent} ${JSON.stringify(settings)}`;
        const a = await w.pub('POST', url, { email: known, intent });
        const b = await w.pub('POST', url, { email: unknown(), intent });
        expect(a.status, label).toBe(202);
        expect(shape(b), label).toEqual(shape(a));
        expect(b.body.resendAfter, label).toBe(a.body.resendAfter);
        // The same in other spellings of the address.
        const c = await w.pub('POST', url, { email: known.toUpperCase(), intent });
        expect(shape(c), label).toEqual(shape(a));
      }
    }
    await experience({ signUp: { enabled: true }, notifyUnknownRecipients: false });
  });

  it('a wrong code for a known and an unknown address is refused with the same answer', async () => {
    for (const settings of SETTINGS) {
      await experience(settings);
      const stranger = unknown();
      for (const [send, check, extra] of [
        ['sign-in', '/api/experience/sign-in/verification-code', {}],
        ['forgot-password', '/api/experience/forgot-password', { newPassword: 'a brand new password' }],
      ] as const) {
        const label = `${check} ${JSON.stringify(settings)}`;
        const sa = await w.pub('POST', '/api/experience/verification-codes', { email: known, intent: send });
        const sb = await w.pub('POST', '/api/experience/verification-codes', { email: stranger, intent: send });
        const a = await w.pub('POST', check, { email: known, verificationId: sa.body.verificationId, code: '000000', ...extra });
        const b = await w.pub('POST', check, { email: stranger, verificationId: sb.body.verificationId, code: '000000', ...extra });
        expect(a.status, label).toBeGreaterThanOrEqual(400);
        expect(a.status, label).toBeLessThan(500);
        expect(b.status, label).toBe(a.status);
        expect(b.body, label).toEqual(a.body);
      }
    }
    await experience({ signUp: { enabled: true }, notifyUnknownRecipients: false });
  });

  it('a made-up or mangled magic link is refused alike, and its page looks the same', async () => {
    const made = await w.pub('POST', '/api/experience/magic-links', { email: known, intent: 'sign-in' });
    expect(made.status).toBe(202);
    const m = await w.message(known);
    const token = /\/magic-link\/([\w.-]+)/.exec(m.parsed.text ?? '')![1]!;
    const page = async (t: string) => {
      const r = await w.pub('GET', `/magic-link/${t}`);
      expect(r.status).toBe(200);
      const html = String(r.body);
      const csrf = /<meta name="postern-csrf" content="([\w-]+)">/.exec(html)![1]!;
      const cookie = ([] as string[]).concat((r.headers['set-cookie'] as string | string[]) ?? []).find((c) => c.startsWith('postern_ml_csrf='))!.split(';')[0]!;
      return { html, csrf, cookie };
    };
    const real = await page(token);
    const fake = await page(`${token.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA`);
    const strip = (h: string) => h.replace(/content="[\w-]+"/g, 'content=""').replace(/nonce-[\w+/=-]+|nonce="[\w+/=-]+"/g, 'nonce');
    // Opening a link shows the same page whether or not it is genuine: it spends and checks nothing.
    expect(strip(fake.html)).toBe(strip(real.html));
    const consume = (t: string, p: { csrf: string; cookie: string }) => w.pub('POST', '/api/experience/magic-links/consume', { token: t }, { origin: ORIGIN, 'x-postern-csrf': p.csrf, cookie: p.cookie });
    const a = await consume(`${token.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA`, fake);
    const b = await consume('00000000000000000000000000.AAAAAAAAAAAAAAAAAAAAAA', fake);
    spec2(a, 'mangled');
    spec2(b, 'made up');
    expect(a.status).toBeGreaterThanOrEqual(400);
    expect(b.status).toBe(a.status);
    expect(b.body).toEqual(a.body);
    // The genuine link still works: the refusals spent nothing.
    const ok = await consume(token, real);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });
});

/**
 * Same timing (SPEC §19): with sign-up off, a known address's code and an unknown address's
 * notice both go out after the answer. Against an SMTP server that accepts connections and
 * never speaks, every answer still comes at once, while the mail it caused is in flight.
 */
describe.each(DIALECTS)('answers that never wait on the mail they cause, on %s', (dialect) => {
  let w: World;
  let silent: Server;
  const sockets = new Set<Socket>();
  const known = `timed-${dialect}@example.test`;
  let n = 0;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    w = await startWorld(dialect, { deliveryRules: { attemptTimeoutMs: 20_000, totalBudgetMs: 20_000 } });
    expect((await w.p.api('POST', '/api/users', { email: known, password: 'timed password 1' })).status).toBe(201);
    const port = (silent.address() as AddressInfo).port;
    const put = await w.p.api('PUT', '/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port, fromEmail: 'auth@example.test' } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const x = await w.p.api('PATCH', '/api/sign-in-experience', {
      signUp: { enabled: false },
      notifyUnknownRecipients: true,
      signIn: { methods: [{ identifier: 'email', password: true, verificationCode: true, magicLink: true }] },
    });
    expect(x.status, JSON.stringify(x.body)).toBe(200);
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent?.close(() => resolve()));
    await w?.close();
  });

  it('forgot-password, code sign-in and magic links answer at once for known and unknown addresses', async () => {
    const before = sockets.size;
    for (const [url, intent] of [
      ['/api/experience/verification-codes', 'forgot-password'],
      ['/api/experience/verification-codes', 'sign-in'],
      ['/api/experience/magic-links', 'sign-in'],
    ] as const) {
      for (const email of [known, `untimed${++n}-${dialect}@example.test`]) {
        const t0 = performance.now();
        const r = await w.pub('POST', url, { email, intent });
        const ms = performance.now() - t0;
        expect(r.status, `${url} ${intent} ${email}`).toBe(202);
        // The connector would hold the answer for 20 s; a second is plenty for everything else.
        expect(ms, `${url} ${intent} ${email}`).toBeLessThan(1_000);
      }
    }
    // The mail is on its way meanwhile: the silent server holds its connections.
    for (let i = 0; i < 200 && sockets.size <= before; i++) await new Promise((r) => setTimeout(r, 25));
    expect(sockets.size).toBeGreaterThan(before);
  });
});
