import { domainToASCII } from 'node:url';
import { createRequire } from 'node:module';
import type MailChecker from 'mailchecker';
import { z } from 'zod';
import { AppError, invalidDocument } from '../errors.js';
import type { Clock, SettingsStore } from '../ports.js';
import { SettingsDocument } from '../settings/document.js';

/**
 * A domain rule: `example.com` matches that domain only, `*.example.com` every subdomain
 * of it (not example.com itself). Stored lower-cased and in ASCII (UTS-46), as addresses are.
 */
const DomainRule = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .transform((v, ctx) => {
    const wildcard = v.startsWith('*.');
    const ascii = domainToASCII((wildcard ? v.slice(2) : v).toLowerCase().replace(/\.$/, ''));
    const labels = ascii.split('.');
    if (
      !ascii ||
      ascii.length > 253 ||
      labels.length < 1 ||
      !labels.every((l) => /^(?!-)[a-z0-9-]{1,63}(?<!-)$/.test(l))
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a domain such as example.com, or *.example.com for its subdomains',
      });
      return z.NEVER;
    }
    return wildcard ? `*.${ascii}` : ascii;
  });

/** SPEC §19: the tenant's email domain policy, as a PATCH result is checked (rules normalised). */
const EmailPolicyInput = z.strictObject({
  blockDisposable: z.boolean(),
  blockList: z.array(DomainRule).max(10_000),
  allowList: z.array(DomainRule).max(10_000),
  blockSubaddressing: z.boolean(),
});
export type EmailPolicy = z.infer<typeof EmailPolicyInput>;

/** The policy as the API shows it. */
export const EmailPolicySchema = z
  .object({
    blockDisposable: z.boolean().meta({
      description: "Refuse domains on mailchecker's list of disposable email services (and their subdomains)",
    }),
    blockList: z
      .array(z.string())
      .meta({ description: 'Refused domains: example.com, or *.example.com for its subdomains' }),
    allowList: z.array(z.string()).meta({ description: 'Exceptions to every block rule, same syntax' }),
    blockSubaddressing: z.boolean().meta({ description: 'Refuse addresses with a +tag in the local part' }),
  })
  .meta({ id: 'EmailPolicy' });

export const DEFAULT_EMAIL_POLICY: EmailPolicy = {
  blockDisposable: false,
  blockList: [],
  allowList: [],
  blockSubaddressing: false,
};

export type BlockReason = 'disposable' | 'block_list' | 'subaddressing';

/** Whether `domain` (ASCII, lower-case) is matched by one of `rules`. */
export function matchesDomain(domain: string, rules: readonly string[]): boolean {
  for (const r of rules) {
    if (r.startsWith('*.')) {
      if (domain.endsWith(r.slice(1))) return true;
    } else if (domain === r) return true;
  }
  return false;
}

let disposable: Set<string> | undefined;
/** mailchecker's list (about 55 k domains, 7 MB of heap), loaded when a policy first asks. */
function disposableDomains(): Set<string> {
  return (disposable ??= (createRequire(import.meta.url)('mailchecker') as typeof MailChecker).blacklist());
}

/**
 * Whether the domain or one of its parents is on mailchecker's list of disposable domains
 * (a sub-domain of a throwaway service is just as throwaway).
 */
export function isDisposableDomain(domain: string): boolean {
  const list = disposableDomains();
  for (let d = domain; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) if (list.has(d)) return true;
  return false;
}

/**
 * Why the policy refuses a normalised address (`local@domain`, domain in ASCII), or null.
 * The allow list is an exception to every block rule.
 */
export function blockReason(policy: EmailPolicy, address: string): BlockReason | null {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (matchesDomain(domain, policy.allowList)) return null;
  if (matchesDomain(domain, policy.blockList)) return 'block_list';
  if (policy.blockDisposable && isDisposableDomain(domain)) return 'disposable';
  if (policy.blockSubaddressing && local.includes('+')) return 'subaddressing';
  return null;
}

const KEY = 'emailPolicy';

/** `GET/PATCH /api/email-policy` and the check every guarded flow makes. */
export class EmailPolicyService {
  private readonly doc: SettingsDocument<EmailPolicy>;

  constructor(settings: SettingsStore, clock: Clock, ttlMs = 2_000) {
    this.doc = new SettingsDocument<EmailPolicy>(
      settings,
      clock,
      KEY,
      (stored?: Partial<EmailPolicy>) => ({ ...DEFAULT_EMAIL_POLICY, ...stored }),
      ttlMs,
    );
  }

  get(tenantId: string): Promise<EmailPolicy> {
    return this.doc.get(tenantId);
  }

  patch(tenantId: string, patch: unknown): Promise<EmailPolicy> {
    return this.doc.patch(tenantId, patch, (merged) => {
      const r = EmailPolicyInput.safeParse(merged);
      if (!r.success) throw invalidDocument('email policy', r.error);
      return { ...r.data, blockList: [...new Set(r.data.blockList)], allowList: [...new Set(r.data.allowList)] };
    });
  }

  /**
   * `422 email.blocked` when the policy refuses the address. `details.reason` only when
   * `withReason` (management routes): an end user learns that the address cannot be used,
   * not which rule a spammer should route around.
   */
  async assertAllowed(tenantId: string, address: string, opts: { withReason: boolean; field?: string }): Promise<void> {
    const reason = blockReason(await this.get(tenantId), address);
    if (!reason) return;
    throw new AppError(
      'email.blocked',
      opts.withReason
        ? `This email address is blocked by the tenant's email policy (${REASON_TEXT[reason]}).`
        : undefined,
      opts.withReason ? { reason, ...(opts.field ? { field: opts.field } : {}) } : {},
    );
  }
}

const REASON_TEXT: Record<BlockReason, string> = {
  disposable: 'a disposable email domain',
  block_list: 'the domain is on the block list',
  subaddressing: 'addresses with +tags are not accepted',
};
