import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as account from '../../../core/identity/flows/account.js';
import { sendIdentityCode, verifyIdentityByCode, verifyIdentityByPassword } from '../../../core/identity/flows/identity-verification.js';
import { errorResponses, NoContent } from '../../schemas.js';
import { assertEmailAllowed } from '../abuse.js';
import type { Services } from '../../context.js';
import { Code, Email, Locale, Password, PUBLIC, VerificationId, bearerAccount, callerOf, identityHeader } from './shared.js';

const tags = ['my account'];
const Account = z.object({ id: z.string(), email: z.string().nullable(), emailVerified: z.boolean(), name: z.string().nullable(), mfa: z.object({ email: z.boolean() }) }).meta({ id: 'MyAccount' });
const Sent = z.object({ verificationId: z.string() });
const IdentityToken = z.object({ identityVerificationToken: z.string(), expiresAt: z.string() });
const IV = z.object({ 'identity-verification': z.string().max(500).optional() });
const LocaleBody = z.strictObject({ locale: Locale.optional() }).optional();

/** The Account API of SPEC §9 (`Authorization: Bearer <accessToken>`). */
export const accountRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const d = s.identity.deps;
    const schema = <T extends object>(summary: string, extra: T) => ({ tags, summary, security: [{ accessToken: [] }], ...extra });

    app.get('/api/my-account', { ...PUBLIC, schema: schema('The signed-in account', { operationId: 'getMyAccount', response: { 200: Account, ...errorResponses(401) } }) }, async (req) => account.accountView((await bearerAccount(s, req)).user));
    app.post(
      '/api/my-account/identity-verifications',
      { ...PUBLIC, schema: schema('Send a UserPermissionValidation code to the current email', { operationId: 'sendIdentityVerificationCode', body: LocaleBody, response: { 202: Sent, ...errorResponses(400, 401, 422, 429, 502, 504) } }) },
      async (req, reply) => {
        const { user } = await bearerAccount(s, req);
        return reply.status(202).send(await sendIdentityCode(d, callerOf(req, req.body?.locale), user));
      },
    );
    app.post(
      '/api/my-account/identity-verifications/verify',
      { ...PUBLIC, schema: schema('Trade the code for a 10-minute identity verification token', { operationId: 'verifyIdentityWithCode', body: z.strictObject({ verificationId: VerificationId, code: Code }), response: { 200: IdentityToken, ...errorResponses(400, 401, 404, 429) } }) },
      async (req) => verifyIdentityByCode(d, callerOf(req), (await bearerAccount(s, req)).user, req.body),
    );
    app.post(
      '/api/my-account/identity-verifications/password',
      { ...PUBLIC, schema: schema('Trade the password for a 10-minute identity verification token', { operationId: 'verifyIdentityWithPassword', body: z.strictObject({ password: Password }), response: { 200: IdentityToken, ...errorResponses(400, 401) } }) },
      async (req) => verifyIdentityByPassword(d, callerOf(req), (await bearerAccount(s, req)).user, req.body),
    );
    app.post(
      '/api/my-account/email-verifications',
      { ...PUBLIC, schema: schema('Send a BindNewIdentifier code to a new address', { operationId: 'sendEmailVerificationCode', body: z.strictObject({ email: Email, locale: Locale.optional() }), response: { 202: Sent, ...errorResponses(400, 401, 422, 429, 502, 504) } }) },
      async (req, reply) => {
        const { user } = await bearerAccount(s, req);
        await assertEmailAllowed(s, req, req.body.email);
        return reply.status(202).send(await account.sendBindEmailCode(d, callerOf(req, req.body.locale), user, req.body));
      },
    );
    app.put(
      '/api/my-account/primary-email',
      {
        ...PUBLIC,
        schema: schema('Link or change the email (Identity-Verification needed when the account has an email or a password)', { operationId: 'setPrimaryEmail',
          headers: IV,
          body: z.strictObject({ email: Email, verificationId: VerificationId, code: Code }),
          response: { 200: Account, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
        }),
      },
      async (req) => {
        const { user } = await bearerAccount(s, req);
        await assertEmailAllowed(s, req, req.body.email);
        return account.accountView(await account.changePrimaryEmail(d, callerOf(req), user, req.body, identityHeader(req)));
      },
    );
    app.post(
      '/api/my-account/password',
      { ...PUBLIC, schema: schema('Set a new password (needs Identity-Verification); other sessions end', { operationId: 'setPassword', headers: IV, body: z.strictObject({ newPassword: Password }), response: { 204: NoContent, ...errorResponses(400, 401, 403, 422) } }) },
      async (req, reply) => {
        const { user, claims } = await bearerAccount(s, req);
        await account.changePassword(d, callerOf(req), user, claims.sid, req.body, identityHeader(req));
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/my-account/mfa/email',
      { ...PUBLIC, schema: schema("Start enrolling email MFA: a BindMfa code to the account's email", { operationId: 'startEmailMfaEnrollment', body: LocaleBody, response: { 202: Sent, ...errorResponses(400, 401, 403, 422, 429, 502, 504) } }) },
      async (req, reply) => {
        const { user } = await bearerAccount(s, req);
        return reply.status(202).send(await account.sendBindMfaCode(d, callerOf(req, req.body?.locale), user));
      },
    );
    app.post(
      '/api/my-account/mfa/email/verify',
      { ...PUBLIC, schema: schema('Finish enrolling email MFA', { operationId: 'verifyEmailMfaEnrollment', body: z.strictObject({ verificationId: VerificationId, code: Code }), response: { 200: Account, ...errorResponses(400, 401, 404, 422, 429) } }) },
      async (req) => {
        const { user } = await bearerAccount(s, req);
        await account.enrolEmailMfa(d, callerOf(req), user, req.body);
        return account.accountView({ ...user, mfaEmail: true });
      },
    );
    app.delete(
      '/api/my-account/mfa/email',
      { ...PUBLIC, schema: schema('Turn email MFA off (needs Identity-Verification)', { operationId: 'disableEmailMfa', headers: IV, response: { 204: NoContent, ...errorResponses(401, 403) } }) },
      async (req, reply) => {
        const { user } = await bearerAccount(s, req);
        await account.removeEmailMfa(d, callerOf(req), user, identityHeader(req));
        return reply.status(204).send(null);
      },
    );
    app.delete(
      '/api/my-account',
      { ...PUBLIC, schema: schema('Delete the account (needs Identity-Verification)', { operationId: 'deleteMyAccount', headers: IV, response: { 204: NoContent, ...errorResponses(401, 403) } }) },
      async (req, reply) => {
        const { user } = await bearerAccount(s, req);
        await account.deleteAccount(d, callerOf(req), user, identityHeader(req));
        return reply.status(204).send(null);
      },
    );
  };
