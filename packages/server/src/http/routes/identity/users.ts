import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, Id, NameText, NoContent, PageQuery, pageOf } from '../../schemas.js';
import type { Services } from '../../context.js';
import { Email, Password, UserSchema } from './shared.js';
import { assertEmailAllowed } from '../abuse.js';

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
    app.delete('/api/users/:id', { schema: { operationId: 'deleteUser', tags, summary: 'Delete a user with their sessions and memberships', params: Params, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) } } }, async (req, reply) => {
      await users.delete(req.tenantId, req.params.id);
      return reply.status(204).send(null);
    });
  };
