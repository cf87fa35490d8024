import { AppError } from '../../errors.js';
import { PURPOSES, callerVariables, emitUserEvent, type Caller, type IdentityDeps } from '../context.js';
import type { Grant, User } from '../ports.js';
import type { Tokens } from '../tokens.js';
import { verifiedOrThrow } from '../../codes/outcome.js';
import { recordSignIn } from '../notices.js';

const invalid = () => new AppError('session.invalid_token', 'The MFA token is invalid or has expired; sign in again.');

async function challenge(d: IdentityDeps, c: Caller, mfaToken: string): Promise<{ grant: Grant; user: User & { email: string; emailKey: string } }> {
  const grant = await d.grants.find(c.tenant.id, 'mfa', mfaToken);
  const user = grant?.userId ? await d.stores.users.get(c.tenant.id, grant.userId) : undefined;
  if (!grant || !user?.email || !user.emailKey) throw invalid();
  return { grant, user: user as User & { email: string; emailKey: string } };
}

/** `POST /api/experience/mfa/verification-codes`: a `MfaVerification` code to the account's email. */
export async function sendMfaCode(d: IdentityDeps, c: Caller, input: { mfaToken: string }): Promise<{ verificationId: string }> {
  const { user } = await challenge(d, c, input.mfaToken);
  const r = await d.codes.issue({
    tenant: c.tenant,
    email: { address: user.email, key: user.emailKey },
    ...PURPOSES.mfa,
    ip: c.ip,
    limitIp: true,
    locale: c.locale,
    acceptLanguage: c.acceptLanguage,
    variables: callerVariables(c),
    data: { userId: user.id },
  });
  return { verificationId: r.verificationId };
}

/** `POST /api/experience/mfa/verify`: the second factor; spends the MFA token. */
export async function verifyMfa(d: IdentityDeps, c: Caller, input: { mfaToken: string; verificationId: string; code: string }): Promise<{ tokens: Tokens }> {
  const { grant, user } = await challenge(d, c, input.mfaToken);
  const v = verifiedOrThrow(await d.codes.verify({ tenant: c.tenant, verificationId: input.verificationId, email: { address: user.email, key: user.emailKey }, code: input.code, ...PURPOSES.mfa }));
  if (v.data?.userId !== user.id) throw new AppError('verification_code.not_found', 'No pending verification matches; ask for a new code.');
  if (!(await d.grants.consume(c.tenant.id, 'mfa', input.mfaToken))) throw invalid();
  const first = Array.isArray(grant.data?.amr) ? (grant.data.amr as unknown[]).map(String) : [];
  const tokens = await d.tokens.issue(user, [...first, 'mfa']);
  await emitUserEvent(d, 'user.signed_in', user, { amr: [...first, 'mfa'] });
  await recordSignIn(d, c, user);
  return { tokens };
}
