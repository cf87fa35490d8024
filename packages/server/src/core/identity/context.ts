import type { TemplateType } from '@postern/connector-kit';
import type { Clock, Tenant } from '../ports.js';
import type { VerificationCodes } from '../codes/service.js';
import type { RateLimits } from '../codes/ports.js';
import type { EmailSender } from '../delivery/sender.js';
import type { Outbox, OutboxRow } from '../delivery/outbox.js';
import type { SignInExperience } from '../sign-in-experience.js';
import { AppError } from '../errors.js';
import type { Grants } from './grants.js';
import type { Passwords } from './passwords.js';
import type { IdentityStores, User } from './ports.js';
import type { Tokens, TokenService } from './tokens.js';

/** What every identity flow needs; built once by createIdentityServices. */
export interface IdentityDeps {
  publicUrl: string;
  clock: Clock;
  codes: VerificationCodes;
  sender: EmailSender;
  signInExperience: { get(tenantId: string): Promise<SignInExperience> };
  stores: IdentityStores;
  passwords: Passwords;
  grants: Grants;
  tokens: TokenService;
  /** The rate-limit store the codes use: also caps the notices that no code guards (unknown recipients). */
  limits: Pick<RateLimits, 'hit'>;
  /** Durable delivery (SPEC §15): the outbox, and a transaction that writes identity records with an outbox row. */
  mail?: {
    outbox: Outbox;
    transaction(row: OutboxRow, work: (stores: IdentityStores) => Promise<void>): Promise<void>;
  };
  /** The tenant's email domain policy (SPEC §19): checked where an address joins an account. */
  emailPolicy?: { assertAllowed(tenantId: string, address: string, opts: { withReason: boolean; field?: string }): Promise<void> };
  /** Event webhooks out (SPEC §16); `emit` never throws. */
  events?: { emit(tenantId: string, type: UserEventType, data: Record<string, unknown>): Promise<void> };
}

export type UserEventType = 'user.created' | 'user.signed_in' | 'user.password_changed' | 'user.email_changed';

/** Reports a user event to the tenant's webhooks: the user as the API shows it (no password hash), and `extra`. */
export async function emitUserEvent(d: Pick<IdentityDeps, 'events'>, type: UserEventType, user: User, extra: Record<string, unknown> = {}): Promise<void> {
  await d.events?.emit(user.tenantId, type, { user: publicUser(user), ...extra });
}

/** Who is asking, as the HTTP edge saw it. */
export interface Caller {
  tenant: Tenant;
  ip?: string | undefined;
  locale?: string | undefined;
  acceptLanguage?: string | undefined;
  /** The application the user came from (an OpenID request), for the `application` template variable. */
  application?: { id: string; name: string; logoUrl?: string } | undefined;
  /** The User-Agent header, for account-security notices. */
  userAgent?: string | undefined;
  /** The hosted pages' device cookie (SPEC §19), when the request carries it. */
  device?: string | undefined;
}

/** The template variables a caller brings to the emails its request causes. */
export const callerVariables = (c: Caller): Record<string, unknown> | undefined =>
  c.application ? { application: c.application } : undefined;

/**
 * Every code a flow sends has its own purpose (template type + flow), so a code issued for
 * one flow never verifies in another (SPEC §6).
 */
export const PURPOSES = {
  signIn: { flow: 'experience.sign-in', templateType: 'SignIn' },
  register: { flow: 'experience.register', templateType: 'Register' },
  forgotPassword: { flow: 'experience.forgot-password', templateType: 'ForgotPassword' },
  mfa: { flow: 'experience.mfa', templateType: 'MfaVerification' },
  identity: { flow: 'account.identity', templateType: 'UserPermissionValidation' },
  bindEmail: { flow: 'account.bind-email', templateType: 'BindNewIdentifier' },
  bindMfa: { flow: 'account.bind-mfa', templateType: 'BindMfa' },
} as const satisfies Record<string, { flow: string; templateType: TemplateType }>;

/** The user as the management API shows it: never the password hash. */
export interface PublicUser {
  id: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  hasPassword: boolean;
  mfa: { email: boolean };
  createdAt: string;
  updatedAt: string;
}

export const publicUser = (u: User): PublicUser => ({
  id: u.id,
  email: u.email,
  emailVerified: u.emailVerified,
  name: u.name,
  hasPassword: u.passwordHash !== null,
  mfa: { email: u.mfaEmail },
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});

export type SignInResult = { tokens: Tokens } | { mfaRequired: true; mfaToken: string; factors: ['email'] };

export function mfaApplies(x: SignInExperience, user: User): boolean {
  if (!user.email || !x.mfa.factors.includes('email')) return false;
  return x.mfa.policy === 'mandatory' || (x.mfa.policy === 'user-controlled' && user.mfaEmail);
}

/** Ends a first factor: tokens, or an MFA challenge when the experience asks for one. */
export async function finishSignIn(d: IdentityDeps, user: User, amr: string[]): Promise<SignInResult> {
  const x = await d.signInExperience.get(user.tenantId);
  if (mfaApplies(x, user)) {
    const g = await d.grants.issue(user.tenantId, 'mfa', { userId: user.id, data: { amr } });
    return { mfaRequired: true, mfaToken: g.token, factors: ['email'] };
  }
  const tokens = await d.tokens.issue(user, amr);
  await emitUserEvent(d, 'user.signed_in', user, { amr });
  return { tokens };
}

export function methodDisabled(what: string): AppError {
  return new AppError('experience.method_disabled', `${what} is turned off in the sign-in experience.`);
}

export const nowIso = (d: IdentityDeps) => d.clock.now().toISOString();
