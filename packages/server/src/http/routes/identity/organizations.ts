import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, Id, NameText, NoContent, PageQuery, pageOf } from '../../schemas.js';
import type { Services } from '../../context.js';
import { Email, Locale, callerOf } from './shared.js';
import { assertEmailAllowed } from '../abuse.js';

const Org = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).meta({ id: 'Organization' });
const Invitation = z
  .object({ id: z.string(), organizationId: z.string(), email: z.string(), status: z.enum(['pending', 'accepted', 'revoked', 'expired']), inviterId: z.string().nullable(), expiresAt: z.string(), createdAt: z.string() })
  .meta({ id: 'OrganizationInvitation' });
const Member = z.object({ userId: z.string(), email: z.string().nullable(), name: z.string().nullable(), createdAt: z.string() });
const Params = z.strictObject({ id: Id });
const tags = ['organizations'];
const orgView = (o: { id: string; name: string; createdAt: string }) => ({ id: o.id, name: o.name, createdAt: o.createdAt });

/** Organizations, members and invitations (SPEC §10), admin key required. */
export const organizationRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const { organizations, invitations } = s.identity;
    app.post(
      '/api/organizations',
      { schema: { operationId: 'createOrganization', tags, summary: 'Create an organization', body: z.strictObject({ name: NameText() }), response: { 201: Org, ...errorResponses(400, 401, 403) } } },
      async (req, reply) => reply.status(201).send(orgView(await organizations.create(req.tenantId, req.body.name))),
    );
    app.get('/api/organizations', { schema: { operationId: 'listOrganizations', tags, summary: 'List organizations', querystring: PageQuery, response: { 200: pageOf(Org), ...errorResponses(400, 401, 403) } } }, async (req) => {
      const p = await organizations.list(req.tenantId, req.query);
      return { items: p.items.map(orgView), nextCursor: p.nextCursor };
    });
    app.get('/api/organizations/:id', { schema: { operationId: 'getOrganization', tags, summary: 'An organization', params: Params, response: { 200: Org, ...errorResponses(400, 401, 403, 404) } } }, async (req) => orgView(await invitations.organization(req.tenantId, req.params.id)));
    app.get(
      '/api/organizations/:id/members',
      { schema: { operationId: 'listOrganizationMembers', tags, summary: 'Members of an organization', params: Params, querystring: PageQuery, response: { 200: pageOf(Member), ...errorResponses(400, 401, 403, 404) } } },
      async (req) => organizations.members(req.tenantId, req.params.id, req.query),
    );
    app.post(
      '/api/organizations/:id/invitations',
      {
        schema: {
          operationId: 'createOrganizationInvitation',
          tags,
          summary: 'Invite by email: sends OrganizationInvitation with {{link}}; a failed send leaves no invitation and answers the connector error',
          params: Params,
          body: z.strictObject({ email: Email, inviterId: Id.optional(), expiresInSeconds: z.number().int().min(60).max(30 * 24 * 3600).optional(), locale: Locale.optional() }),
          response: { 201: Invitation.extend({ link: z.string() }), ...errorResponses(400, 401, 403, 404, 422, 429, 502, 504) },
        },
      },
      async (req, reply) => {
        await assertEmailAllowed(s, req, req.body.email);
        return reply.status(201).send(await invitations.invite(callerOf(req, req.body.locale), req.params.id, req.body));
      },
    );
    app.get(
      '/api/organizations/:id/invitations',
      { schema: { operationId: 'listOrganizationInvitations', tags, summary: 'Invitations of an organization', params: Params, querystring: PageQuery, response: { 200: pageOf(Invitation), ...errorResponses(400, 401, 403, 404) } } },
      async (req) => invitations.list(req.tenantId, req.params.id, req.query),
    );
    app.post(
      '/api/organization-invitations/:id/resend',
      { schema: { operationId: 'resendOrganizationInvitation', tags, summary: 'Send the invitation again with a fresh link (the old link stops working)', params: Params, response: { 200: Invitation.extend({ link: z.string() }), ...errorResponses(400, 401, 403, 404, 410, 422, 429, 502, 504) } } },
      async (req) => invitations.resend(callerOf(req), req.params.id),
    );
    app.delete('/api/organization-invitations/:id', { schema: { operationId: 'revokeOrganizationInvitation', tags, summary: 'Revoke a pending invitation', params: Params, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404, 410) } } }, async (req, reply) => {
      await invitations.revoke(req.tenantId, req.params.id);
      return reply.status(204).send(null);
    });
  };
