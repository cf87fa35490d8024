import { z } from 'zod';
import { AppError, invalidDocument } from './errors.js';
import type { Clock, ConnectorStore, SettingsStore } from './ports.js';
import { SettingsDocument } from './settings/document.js';
import { LANGUAGE_TAG } from './templates/locale.js';

const Method = z.strictObject({
  identifier: z.literal('email'),
  password: z.boolean(),
  verificationCode: z.boolean(),
  /** Magic links (SPEC §19): off unless set; they need the email connector like codes do. */
  magicLink: z.boolean().optional(),
});

/** SPEC §7. The defaults are what a new tenant starts with. */
export const SignInExperienceSchema = z
  .strictObject({
    signUp: z.strictObject({ enabled: z.boolean(), identifiers: z.array(z.literal('email')).max(1), password: z.boolean() }),
    signIn: z.strictObject({ methods: z.array(Method).max(1) }),
    forgotPassword: z.strictObject({ email: z.boolean() }),
    mfa: z.strictObject({ factors: z.array(z.literal('email')).max(1), policy: z.enum(['off', 'user-controlled', 'mandatory']) }),
    languages: z.strictObject({ default: z.string().min(2).max(35).regex(LANGUAGE_TAG, 'a BCP 47 language tag'), autoDetect: z.boolean() }),
    passwordPolicy: z.strictObject({ minLength: z.number().int().min(6).max(256) }),
    // Account-security mail (SPEC §19); defaults so that documents saved before these existed still parse.
    notifications: z
      .strictObject({ passwordChanged: z.boolean(), emailChanged: z.boolean(), mfaChanged: z.boolean(), newSignIn: z.boolean() })
      .default({ passwordChanged: true, emailChanged: true, mfaChanged: true, newSignIn: false })
      .meta({ description: 'Which account-security notices are mailed to the account (SPEC §19)' }),
    emailChange: z
      .strictObject({ confirmOld: z.boolean() })
      .default({ confirmOld: true })
      .meta({ description: 'confirmOld: changing the primary email also needs an identity verification by a code sent to the current address' }),
    notifyUnknownRecipients: z
      .boolean()
      .default(false)
      .meta({ description: 'A sign-in or password-reset request for an address with no account (and sign-up off) mails that address an UnknownRecipient notice' }),
  })
  .meta({ id: 'SignInExperience' });
export type SignInExperience = z.infer<typeof SignInExperienceSchema>;

export const DEFAULT_SIGN_IN_EXPERIENCE: SignInExperience = {
  signUp: { enabled: true, identifiers: ['email'], password: true },
  signIn: { methods: [{ identifier: 'email', password: true, verificationCode: true, magicLink: false }] },
  forgotPassword: { email: true },
  mfa: { factors: ['email'], policy: 'user-controlled' },
  languages: { default: 'en', autoDetect: true },
  passwordPolicy: { minLength: 8 },
  notifications: { passwordChanged: true, emailChanged: true, mfaChanged: true, newSignIn: false },
  emailChange: { confirmOld: true },
  notifyUnknownRecipients: false,
};

/** A stored document with the settings added since it was saved filled in with their defaults. */
function withNewDefaults(stored: SignInExperience): SignInExperience {
  const d = DEFAULT_SIGN_IN_EXPERIENCE;
  return { ...stored, notifications: stored.notifications ?? d.notifications, emailChange: stored.emailChange ?? d.emailChange, notifyUnknownRecipients: stored.notifyUnknownRecipients ?? d.notifyUnknownRecipients };
}

/** The settings that need the email connector, named as `details.dependents` lists them. */
export function emailDependents(x: SignInExperience): string[] {
  const out: string[] = [];
  if (x.signUp.enabled && x.signUp.identifiers.includes('email')) out.push('signUp.email');
  if (x.signIn.methods.some((m) => m.identifier === 'email' && m.verificationCode)) out.push('signIn.emailVerificationCode');
  if (x.signIn.methods.some((m) => m.identifier === 'email' && m.magicLink)) out.push('signIn.emailMagicLink');
  if (x.forgotPassword.email) out.push('forgotPassword.email');
  if (x.mfa.policy !== 'off' && x.mfa.factors.includes('email')) out.push('mfa.email');
  return out;
}

/** The settings of `emailDependents` in words for people, for error messages. */
const DEPENDENT_WORDS: Record<string, string> = {
  'signUp.email': 'sign-up by email',
  'signIn.emailVerificationCode': 'sign-in with an email code',
  'signIn.emailMagicLink': 'sign-in with an email link',
  'forgotPassword.email': 'password reset by email',
  'mfa.email': 'email MFA',
};

/** `emailDependents` as words for people: "a", "a and b", "a, b and c". */
export function dependentWords(paths: string[]): string {
  const items = paths.map((n) => DEPENDENT_WORDS[n] ?? n);
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const KEY = 'signInExperience';

export class SignInExperienceService {
  private readonly doc: SettingsDocument<SignInExperience>;

  constructor(
    settings: SettingsStore,
    private readonly connectors: ConnectorStore,
    clock: Clock,
    ttlMs = 2_000,
  ) {
    this.doc = new SettingsDocument<SignInExperience>(settings, clock, KEY, (stored) => (stored ? withNewDefaults(stored) : DEFAULT_SIGN_IN_EXPERIENCE), ttlMs);
  }

  /** Read on every send and sign-in: kept briefly; a change here applies at once, elsewhere within the TTL. */
  get(tenantId: string): Promise<SignInExperience> {
    return this.doc.get(tenantId);
  }

  invalidate(tenantId: string): void {
    this.doc.invalidate(tenantId);
  }

  patch(tenantId: string, patch: unknown): Promise<SignInExperience> {
    return this.doc.patch(tenantId, patch, async (merged, current) => {
      const r = SignInExperienceSchema.safeParse(merged);
      if (!r.success) throw invalidDocument('sign-in experience', r.error);
      const next = r.data;
      const methods = next.signIn.methods.filter((m) => m.password || m.verificationCode || m.magicLink);
      if (methods.length === 0) throw new AppError('sign_in_experience.no_sign_in_method', 'Sign-in must keep at least one method: password, verification code or magic link.', { fields: ['signIn.methods'] });
      if (!(await this.connectors.getEmailConnector(tenantId))) {
        const before = new Set(emailDependents(current));
        const needs = emailDependents(next);
        // Only what this change turns on (or keeps on) needs a connector; say which fields.
        if (needs.length) {
          throw new AppError('sign_in_experience.email_connector_required', `Set up an email connector first: ${dependentWords(needs)} ${needs.length === 1 ? 'sends' : 'send'} email.`, { fields: needs, newlyEnabled: needs.filter((n) => !before.has(n)) });
        }
      }
      return next;
    });
  }
}
