import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, Id, NameText, NoContent, PageQuery, pageOf } from '../../schemas.js';
import type { Services } from '../../context.js';
import { Email, Password, UserSchema } from './shared.js';
import { assertEmailAllowed } from '../abuse.js';
import { AppError } from '../../../core/errors.js';

const tags = ['users'];
const Params = z.strictObject({ id: Id });
const Name = NameText();

/** User management (SPEC §10), admin key required. */
export const userRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const users = s.identity.users;
    app.get(
      '/api/users',
      { schema: { operationId: 'listUsers', tags, summary: 'List users, newest first; `search` matches email or name', querystring: PageQuery.extend({ search: z.string().max(320).optional() }), response: { 200: pageOf(UserSchema), ...errorResponses(400, 401, 403) } } },
      async (req) => users.list(req.tenantId, req.query.search, req.query),
    );
    app.post(
      '/api/users',
      { schema: { operationId: 'createUser', tags, summary: 'Create a user (the password, if any, must meet the policy)', body: z.strictObject({ email: Email, password: Password.optional(), name: Name.optional() }), response: { 201: UserSchema, ...errorResponses(400, 401, 403, 409, 422) } } },
      async (req, reply) => {
        await assertEmailAllowed(s, req, req.body.email);
        return reply.status(201).send(await users.create(req.tenantId, req.body));
      },
    );
    app.get('/api/users/:id', { schema: { operationId: 'getUser', tags, summary: 'A user', params: Params, response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404) } } }, async (req) => users.get(req.tenantId, req.params.id));
    app.patch(
      '/api/users/:id',
      {
        schema: {
          operationId: 'updateUser',
          tags,
          summary: 'Change a user (JSON Merge Patch of email, name, password; null removes name or password)',
          params: Params,
          body: z.strictObject({ email: Email.optional(), name: Name.nullable().optional(), password: Password.nullable().optional() }),
          response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req) => {
        if (req.body.email !== undefined) await assertEmailAllowed(s, req, req.body.email);
        return users.patch(req.tenantId, req.params.id, req.body);
      },
    );
    const Session = z
      .object({
        id: z.string(),
        amr: z.array(z.string()).meta({ description: 'How the session signed in (pwd, otp, mfa, …)' }),
        createdAt: z.string(),
        lastActiveAt: z.string().meta({ description: 'When its refresh token was last issued (sign-in or refresh)' }),
        expiresAt: z.string(),
      })
      .meta({ id: 'UserSession' });
    app.get(
      '/api/users/:id/sessions',
      { schema: { operationId: 'listUserSessions', tags, summary: "The user's live sessions, most recently used first (never a token)", params: Params, querystring: PageQuery, response: { 200: pageOf(Session), ...errorResponses(400, 401, 403, 404) } } },
      async (req) => {
        // Bounded by the sessions a user holds; `cursor` is the number of sessions already read.
        const all = await users.sessions(req.tenantId, req.params.id);
        const from = req.query.cursor ? Number(req.query.cursor) : 0;
        if (!Number.isSafeInteger(from) || from < 0) throw new AppError('request.invalid', 'The cursor is not one this list gave out.');
        const items = all.slice(from, from + req.query.limit);
        return { items, nextCursor: from + req.query.limit < all.length ? String(from + req.query.limit) : null };
      },
    );
    app.delete(
      '/api/users/:id/sessions',
      { schema: { operationId: 'revokeUserSessions', tags, summary: 'Sign the user out everywhere: every session ends', params: Params, response: { 200: z.object({ revoked: z.number().int() }), ...errorResponses(400, 401, 403, 404) } } },
      async (req) => ({ revoked: await users.revokeSessions(req.tenantId, req.params.id) }),
    );
    app.delete(
      '/api/users/:id/sessions/:sessionId',
      { schema: { operationId: 'revokeUserSession', tags, summary: 'End one session of the user', params: z.strictObject({ id: Id, sessionId: Id }), response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) } } },
      async (req, reply) => {
        await users.revokeSession(req.tenantId, req.params.id, req.params.sessionId);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/users/:id/password-reset',
      {
        schema: {
          operationId: 'sendUserPasswordReset',
          tags,
          summary: 'Send the user the ForgotPassword email, with a link to the hosted reset page',
          description: 'The same message and code as the hosted page\'s "Forgot password", sent now: a connector failure answers its error. A user without an email address is 400 user.no_email; password reset turned off in the sign-in experience is 403 experience.method_disabled.',
          params: Params,
          response: { 200: z.object({ to: z.string().meta({ description: 'The address the message went to' }), expiresAt: z.string().meta({ description: 'When the code expires' }) }), ...errorResponses(400, 401, 403, 404, 422, 429, 502) },
        },
      },
      async (req) => users.sendPasswordReset(req.tenant, req.params.id),
    );
    app.delete('/api/users/:id', { schema: { operationId: 'deleteUser', tags, summary: 'Delete a user with their sessions and memberships', params: Params, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) } } }, async (req, reply) => {
      await users.delete(req.tenantId, req.params.id);
      return reply.status(204).send(null);
    });
  };
