import { describe, expect, it } from 'vitest';
import { VerificationCodes } from './service.js';
import { CodePolicyService, type CodePolicy } from './policy.js';
import { verificationError } from './outcome.js';
import type { SendOutcome, SendRequest } from '../delivery/sender.js';
import type { SettingsStore, Tenant } from '../ports.js';
import { Metrics } from '../../lib/metrics.js';
import { createRateLimits } from '../../storage/rate-limits.js';
import { ManualClock, MemoryCodeStore, sequenceRandom } from '../../testing/memory.js';

const tenant: Tenant = { id: 't1', name: 'T', type: 'production', createdAt: '2026-01-01T00:00:00.000Z' } as Tenant;

function settingsWith(policy: Partial<CodePolicy>): SettingsStore {
  const docs = new Map<string, unknown>([['t1|codePolicy', policy]]);
  return {
    get: async <T>(t: string, k: string) => docs.get(`${t}|${k}`) as T | undefined,
    put: async (t, k, v) => void docs.set(`${t}|${k}`, v),
  };
}

/** A sender that records what it was asked to send and answers as told. */
function recordingSender(ok = true) {
  const sent: SendRequest[] = [];
  return {
    sent,
    async send(req: SendRequest): Promise<SendOutcome> {
      sent.push(req);
      return {
        ok,
        providerMessageId: ok ? 'p1' : null,
        captured: false,
        attempts: 1,
        durationMs: 1,
        logId: 'l1',
        status: ok ? 'sent' : 'failed',
        ...(ok ? {} : { error: Object.assign(new Error('down'), { code: 'connector.unavailable' }) as never }),
      };
    },
    async recordSuppressed() {},
  };
}

async function setup(policy: Partial<CodePolicy> = {}, opts: { sendOk?: boolean } = {}) {
  const clock = new ManualClock();
  const store = new MemoryCodeStore();
  const sender = recordingSender(opts.sendOk ?? true);
  const limits = await createRateLimits({ kind: 'memory' });
  // Digits 1..6 in turn: the numeric code is "123456".
  const codes = new VerificationCodes(
    store,
    new CodePolicyService(settingsWith(policy), clock),
    limits,
    sender,
    new Metrics(),
    clock,
    Buffer.alloc(32, 7),
    sequenceRandom([1, 2, 3, 4, 5, 6]),
  );
  return { clock, store, sender, codes, limits };
}

const req = { tenant, email: 'Ada@Example.test', flow: 'api', templateType: 'SignIn' as const };

describe('VerificationCodes (core, no HTTP, no database)', () => {
  it('sends the generated code and verifies it exactly once', async () => {
    const { codes, sender } = await setup();
    const issued = await codes.issue(req);
    expect(sender.sent[0]!.variables.code).toBe('123456');
    expect(sender.sent[0]!.to).toBe('Ada@example.test');
    const v = await codes.verify({ ...req, verificationId: issued.verificationId, code: '123456' });
    expect(v).toMatchObject({ ok: true, recipientKey: 'ada@example.test' });
    expect(await codes.verify({ ...req, verificationId: issued.verificationId, code: '123456' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it('counts wrong codes down to exhausted, as values, and the right one is then refused', async () => {
    const { codes } = await setup({ maxAttempts: 2 });
    const { verificationId } = await codes.issue(req);
    expect(await codes.verify({ ...req, verificationId, code: '000000' })).toEqual({
      ok: false,
      reason: 'mismatch',
      attemptsLeft: 1,
    });
    expect(await codes.verify({ ...req, verificationId, code: '000001' })).toEqual({
      ok: false,
      reason: 'mismatch',
      attemptsLeft: 0,
    });
    expect(await codes.verify({ ...req, verificationId, code: '123456' })).toEqual({ ok: false, reason: 'exhausted' });
  });

  it('a code expires with the injected clock, without sleeping', async () => {
    const { codes, clock } = await setup({ ttlSeconds: 60 });
    const { verificationId } = await codes.issue(req);
    clock.advance(60_000);
    expect(await codes.verify({ ...req, verificationId, code: '123456' })).toEqual({ ok: false, reason: 'expired' });
  });

  it('a code is bound to its purpose and recipient', async () => {
    const { codes } = await setup();
    const { verificationId } = await codes.issue(req);
    expect(await codes.verify({ ...req, templateType: 'Register', verificationId, code: '123456' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await codes.verify({ ...req, email: 'eve@example.test', verificationId, code: '123456' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it('locks the address after the failure budget, with retryAfter', async () => {
    const { codes } = await setup({
      maxAttempts: 20,
      lockout: { maxFailures: 2, windowSeconds: 3600, lockSeconds: 600 },
    });
    const { verificationId } = await codes.issue(req);
    await codes.verify({ ...req, verificationId, code: '000000' });
    await codes.verify({ ...req, verificationId, code: '000000' });
    const v = await codes.verify({ ...req, verificationId, code: '123456' });
    expect(v.ok).toBe(false);
    if (v.ok || v.reason !== 'locked') throw new Error(`expected locked, got ${JSON.stringify(v)}`);
    expect(v.retryAfter).toBeGreaterThan(0);
    expect(verificationError(v)).toMatchObject({ code: 'verification_code.locked', status: 429 });
  });

  it('a code whose send failed is invalidated', async () => {
    const { codes, store } = await setup({}, { sendOk: false });
    await expect(codes.issue(req)).rejects.toMatchObject({ code: 'connector.unavailable' });
    const [row] = [...store.rows.values()];
    expect(row!.status).toBe('invalidated');
  });

  it('a magic link rides with the code: built from the stored HMAC, spent once, and the code with it', async () => {
    const { codes, sender, clock } = await setup({ resendCooldownSeconds: 0 });
    const purposes = [{ flow: 'api', templateType: 'SignIn' as const }];
    const issued = await codes.issue({ ...req, magicLink: (token) => `https://x.test/magic-link/${token}` });
    const link = String(sender.sent[0]!.variables.link);
    const token = link.slice('https://x.test/magic-link/'.length);
    expect(token.startsWith(`${issued.verificationId}.`)).toBe(true);
    expect(sender.sent[0]!.variables.code).toBe('123456');
    // Wrong macs cost nothing: the right link still works after them.
    for (const bad of [`${issued.verificationId}.${'A'.repeat(43)}`, issued.verificationId, 'x', `${token}.x`]) {
      expect(await codes.consumeLink(tenant, bad, purposes)).toEqual({ ok: false, reason: 'not_found' });
    }
    // Only the purposes asked for.
    expect(await codes.consumeLink(tenant, token, [{ flow: 'api', templateType: 'Register' }])).toEqual({ ok: false, reason: 'not_found' });
    expect(await codes.consumeLink(tenant, token, purposes)).toMatchObject({ ok: true, recipientKey: 'ada@example.test', templateType: 'SignIn' });
    expect(await codes.consumeLink(tenant, token, purposes)).toEqual({ ok: false, reason: 'not_found' });
    expect(await codes.verify({ ...req, verificationId: issued.verificationId, code: '123456' })).toEqual({ ok: false, reason: 'not_found' });

    // The code spends the link; and a link expires with its code.
    const second = await codes.issue({ ...req, magicLink: (t) => t });
    expect((await codes.verify({ ...req, verificationId: second.verificationId, code: '123456' })).ok).toBe(true);
    expect(await codes.consumeLink(tenant, String(sender.sent[1]!.variables.link), purposes)).toEqual({ ok: false, reason: 'not_found' });
    await codes.issue({ ...req, magicLink: (t) => t });
    clock.advance(601_000);
    expect(await codes.consumeLink(tenant, String(sender.sent[2]!.variables.link), purposes)).toEqual({ ok: false, reason: 'expired' });
  });

  it('a code sent without a link cannot be spent through one', async () => {
    const { codes, sender } = await setup();
    const issued = await codes.issue(req);
    expect(sender.sent[0]!.variables.link).toBeUndefined();
    // Even with the right mac (computed as the service would), a plain code is not a link.
    const { linkMac, codeHmac } = await import('./generate.js');
    const mac = linkMac(Buffer.alloc(32, 7), issued.verificationId, codeHmac(Buffer.alloc(32, 7), issued.verificationId, '123456'));
    expect(await codes.consumeLink(tenant, `${issued.verificationId}.${mac}`, [{ flow: 'api', templateType: 'SignIn' }])).toEqual({ ok: false, reason: 'not_found' });
    expect((await codes.verify({ ...req, verificationId: issued.verificationId, code: '123456' })).ok).toBe(true);
  });

  it('maps each failure to its SPEC error', () => {
    expect(verificationError({ ok: false, reason: 'mismatch', attemptsLeft: 1 })).toMatchObject({
      code: 'verification_code.mismatch',
      details: { attemptsLeft: 1 },
    });
    expect(verificationError({ ok: false, reason: 'expired' }).code).toBe('verification_code.expired');
    expect(verificationError({ ok: false, reason: 'exhausted' }).code).toBe('verification_code.exhausted');
    expect(verificationError({ ok: false, reason: 'not_found' }).code).toBe('verification_code.not_found');
  });
});
