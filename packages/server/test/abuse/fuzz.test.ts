import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startCaptchaPeer, type CaptchaPeer } from '../../src/testing/peers/captcha.js';
import { BotProtectionSchema } from '../../src/core/abuse/captcha.js';
import { EmailPolicySchema } from '../../src/core/abuse/domain-policy.js';
import { startWorld, type World } from '../identity/setup.js';

const HOST = 'auth.example.test';

const garbage: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom(
      'x'.repeat(5_000),
      '\r\nBcc: a@evil.test',
      '••••abcd',
      '__proto__',
      '*.',
      '*.example.com',
      'mailinator.com',
      'http://127.0.0.1:1/x',
      'javascript:alert(1)',
      '\u202e',
      '',
    ),
    fc.integer(),
    fc.double(),
    fc.constantFrom(null, true, false, -0, 0.5, 1, 2),
    fc.array(tie('any'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'a', 'provider', 'blockList'), tie('any'), {
      maxKeys: 3,
    }),
  ),
})).any;

const record = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof({ weight: 4, arbitrary: fc.record(fields, { requiredKeys: [] }) }, { weight: 1, arbitrary: garbage });

const errorShaped = (res: { status: number; body: any }, label: string) => {
  expect(res.status, label).toBeLessThan(500);
  if (res.status >= 400) {
    expect(typeof res.body?.code, label).toBe('string');
    expect(typeof res.body?.message, label).toBe('string');
    expect(JSON.stringify(res.body), label).not.toMatch(/\bat .+\.(ts|js):\d+/);
  }
};

/** The bot-protection and email-policy routes fed random JSON: never a 5xx, always a valid document after. */
describe('fuzz of the abuse-protection routes', () => {
  let w: World;
  let peer: CaptchaPeer;
  const known = 'known-fuzz@example.test';

  beforeAll(async () => {
    peer = await startCaptchaPeer();
    w = await startWorld('sqlite', { captchaTimeoutMs: 3000 });
    expect((await w.p.api('POST', '/api/users', { email: known, password: 'a long password' })).status).toBe(201);
  });
  afterAll(async () => {
    await w?.close();
    await peer?.close();
  });

  it('PATCH /api/bot-protection: no 5xx, the stored document stays valid and the secret never shows', async () => {
    await fc.assert(
      fc.asyncProperty(
        record({
          provider: fc.oneof(fc.constantFrom('none', 'turnstile', 'hcaptcha', 'recaptcha'), garbage),
          siteKey: fc.oneof(fc.string({ maxLength: 20 }), garbage),
          secretKey: fc.oneof(fc.constantFrom(peer.secret), garbage),
          verifyUrl: fc.oneof(fc.constantFrom(peer.url('turnstile'), peer.url('recaptcha'), null), garbage),
          scoreThreshold: fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), garbage),
        }),
        async (body) => {
          const r = await w.p.api('PATCH', '/api/bot-protection', body);
          errorShaped(r, JSON.stringify(body).slice(0, 200));
          const g = await w.p.api('GET', '/api/bot-protection');
          expect(g.status).toBe(200);
          expect(BotProtectionSchema.safeParse(g.body).success, JSON.stringify(g.body)).toBe(true);
          expect(JSON.stringify(g.body)).not.toContain(peer.secret);
        },
      ),
      { numRuns: 150 },
    );
    expect((await w.p.api('PATCH', '/api/bot-protection', { provider: 'none' })).status).toBe(200);
  }, 120_000);

  it('PATCH /api/email-policy: no 5xx and the stored document stays valid', async () => {
    const rule = fc.oneof(
      fc.domain(),
      fc.domain().map((d) => `*.${d}`),
      garbage,
    );
    await fc.assert(
      fc.asyncProperty(
        record({
          blockDisposable: fc.oneof(fc.boolean(), garbage),
          blockSubaddressing: fc.oneof(fc.boolean(), garbage),
          blockList: fc.oneof(fc.array(rule, { maxLength: 5 }), garbage),
          allowList: fc.oneof(fc.array(rule, { maxLength: 5 }), garbage),
        }),
        async (body) => {
          const r = await w.p.api('PATCH', '/api/email-policy', body);
          errorShaped(r, JSON.stringify(body).slice(0, 200));
          const g = await w.p.api('GET', '/api/email-policy');
          expect(EmailPolicySchema.safeParse(g.body).success).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
    expect(
      (
        await w.p.api('PATCH', '/api/email-policy', {
          blockDisposable: false,
          blockSubaddressing: false,
          blockList: [],
          allowList: [],
        })
      ).status,
    ).toBe(200);
  }, 120_000);

  it('POST /api/experience/verification-codes with protection and policy on: no 5xx for any body', async () => {
    expect(
      (
        await w.p.api('PATCH', '/api/bot-protection', {
          provider: 'recaptcha',
          siteKey: peer.siteKey,
          secretKey: peer.secret,
          verifyUrl: peer.url('recaptcha'),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await w.p.api('PATCH', '/api/email-policy', {
          blockDisposable: true,
          blockSubaddressing: true,
          blockList: ['*.example.org'],
        })
      ).status,
    ).toBe(200);
    try {
      await fc.assert(
        fc.asyncProperty(
          record({
            email: fc.oneof(
              fc.emailAddress(),
              fc.constantFrom(known, 'a+b@example.test', 'x@mailinator.com', 'y@z.example.org'),
              garbage,
            ),
            intent: fc.oneof(fc.constantFrom('sign-in', 'register', 'forgot-password'), garbage),
            captchaToken: fc.oneof(
              fc.constant(null).map(() => peer.issue({ hostname: HOST, score: 0.9, action: 'send_code' })),
              fc.constant(null).map(() => peer.issue({ hostname: HOST, score: 0.1, action: 'send_code' })),
              garbage,
            ),
            locale: fc.oneof(fc.constantFrom('en', 'th', 'pt-BR'), garbage),
          }),
          async (body) => {
            const r = await w.pub('POST', '/api/experience/verification-codes', body);
            errorShaped(r, JSON.stringify(body).slice(0, 200));
            expect([202, 400, 403, 422, 429]).toContain(r.status);
          },
        ),
        { numRuns: 150 },
      );
      const pub = await w.pub('GET', '/t/missing/api/experience/bot-protection');
      errorShaped(pub, 'missing tenant');
      expect(pub.body.code).toBe('tenant.not_found');
    } finally {
      await w.p.api('PATCH', '/api/bot-protection', { provider: 'none' });
    }
  }, 120_000);

  it('known and unknown addresses get the same status and shape with protection on, with and without a token', async () => {
    expect(
      (
        await w.p.api('PATCH', '/api/bot-protection', {
          provider: 'turnstile',
          siteKey: peer.siteKey,
          secretKey: peer.secret,
          verifyUrl: peer.url('turnstile'),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await w.p.api('PATCH', '/api/email-policy', {
          blockDisposable: true,
          blockSubaddressing: true,
          blockList: ['example.test'],
        })
      ).status,
    ).toBe(200);
    try {
      const shape = (b: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v]));
      for (const intent of ['sign-in', 'forgot-password', 'register']) {
        for (const withToken of [true, false]) {
          const ask = (email: string) =>
            w.pub('POST', '/api/experience/verification-codes', {
              email,
              intent,
              ...(withToken ? { captchaToken: peer.issue({ hostname: HOST }) } : {}),
            });
          const a = await ask(known);
          const b = await ask('unknown-fuzz@example.test');
          expect(b.status, `${intent} token=${withToken}`).toBe(a.status);
          expect(shape(b.body), `${intent} token=${withToken}`).toEqual(shape(a.body));
          if (a.status >= 400) expect(b.body).toEqual(a.body);
        }
      }
    } finally {
      await w.p.api('PATCH', '/api/bot-protection', { provider: 'none' });
      await w.p.api('PATCH', '/api/email-policy', { blockList: [] });
    }
  });
});
