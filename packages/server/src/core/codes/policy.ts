import { z } from 'zod';
import { AppError, invalidDocument } from '../errors.js';
import type { Clock, SettingsStore, TenantType } from '../ports.js';
import { normalizeEmail } from '../email-address.js';
import { SettingsDocument } from '../settings/document.js';

/** SPEC §6, with its ranges. */
export const CodePolicySchema = z
  .strictObject({
    length: z.number().int().min(4).max(10),
    alphabet: z.enum(['numeric', 'alphanumeric']),
    ttlSeconds: z.number().int().min(60).max(3600),
    maxAttempts: z.number().int().min(1).max(20),
    resendCooldownSeconds: z.number().int().min(0).max(600),
    maxSendsPerRecipientPerHour: z.number().int().min(1).max(10_000),
    maxSendsPerIpPerHour: z.number().int().min(1).max(1_000_000),
    maxFailedPasswordsPerIpPerHour: z.number().int().min(1).max(1_000_000),
    lockout: z.strictObject({
      maxFailures: z.number().int().min(1).max(10_000),
      windowSeconds: z.number().int().min(60).max(86_400),
      lockSeconds: z.number().int().min(60).max(86_400),
    }),
    testAddresses: z.array(z.strictObject({ email: z.string().max(320), code: z.string().min(4).max(10) })).max(100),
  })
  .meta({ id: 'VerificationCodePolicy' });
export type CodePolicy = z.infer<typeof CodePolicySchema>;

export const DEFAULT_CODE_POLICY: CodePolicy = {
  length: 6,
  alphabet: 'numeric',
  ttlSeconds: 600,
  maxAttempts: 5,
  resendCooldownSeconds: 60,
  maxSendsPerRecipientPerHour: 10,
  maxSendsPerIpPerHour: 100,
  maxFailedPasswordsPerIpPerHour: 30,
  lockout: { maxFailures: 20, windowSeconds: 3600, lockSeconds: 3600 },
  testAddresses: [],
};

const KEY = 'codePolicy';

/**
 * The policy is read on every send and verify, so it is kept briefly in memory; a change
 * on this instance applies at once, one on another instance within the TTL.
 */
export class CodePolicyService {
  private readonly doc: SettingsDocument<CodePolicy>;

  constructor(settings: SettingsStore, clock: Clock, ttlMs = 2_000) {
    this.doc = new SettingsDocument<CodePolicy>(
      settings,
      clock,
      KEY,
      (stored?: Partial<CodePolicy>) => ({ ...DEFAULT_CODE_POLICY, ...stored, lockout: { ...DEFAULT_CODE_POLICY.lockout, ...stored?.lockout } }),
      ttlMs,
    );
  }

  get(tenantId: string): Promise<CodePolicy> {
    return this.doc.get(tenantId);
  }

  invalidate(tenantId: string): void {
    this.doc.invalidate(tenantId);
  }

  patch(tenantId: string, tenantType: TenantType, patch: unknown): Promise<CodePolicy> {
    return this.doc.patch(tenantId, patch, (merged) => {
      const r = CodePolicySchema.safeParse(merged);
      if (!r.success) throw invalidDocument('code policy', r.error);
      const policy = r.data;
      if (policy.testAddresses.length && tenantType !== 'development') {
        throw new AppError('request.invalid', 'Test addresses are allowed on development tenants only.', { issues: [{ path: 'testAddresses', message: 'development tenants only' }] });
      }
      policy.testAddresses = checkTestAddresses(policy);
      return policy;
    });
  }
}

/**
 * The policy's test addresses, each normalised like every other address and its code
 * checked against the policy; `400 request.invalid` names the entry at fault. Used by the
 * policy PATCH and the settings import alike.
 */
export function checkTestAddresses(policy: CodePolicy, prefix = ''): CodePolicy['testAddresses'] {
  return policy.testAddresses.map((t, i) => {
    const addr = normalizeEmail(t.email, `${prefix}testAddresses.${i}.email`);
    const valid = policy.alphabet === 'numeric' ? /^\d+$/.test(t.code) : /^[A-Za-z0-9]+$/.test(t.code);
    if (!valid || t.code.length !== policy.length) {
      throw new AppError('request.invalid', `Test address code ${i + 1} must be ${policy.length} ${policy.alphabet === 'numeric' ? 'digits' : 'letters or digits'}.`, { issues: [{ path: `${prefix}testAddresses.${i}.code`, message: 'does not fit the policy' }] });
    }
    return { email: addr.address, code: t.code.toUpperCase() };
  });
}
