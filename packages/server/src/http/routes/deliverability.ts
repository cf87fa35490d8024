import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, Id, NoContent } from '../schemas.js';
import type { DeliverabilityDeps, Services } from '../context.js';

const DkimKey = z
  .object({ id: z.string(), domain: z.string(), selector: z.string(), dnsName: z.string(), dnsValue: z.string(), dnsStrings: z.array(z.string()), createdAt: z.string() })
  .meta({ id: 'DkimKey' });
const Check = z.object({ status: z.enum(['pass', 'warn', 'fail', 'missing']), record: z.string().nullable(), issues: z.array(z.string()) });

export const deliverabilityRoutes =
  (s: Services, d: DeliverabilityDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/dkim-keys',
      {
        schema: {
          operationId: 'createDkimKey',
          tags: ['deliverability'],
          summary: 'Generate an RSA-2048 DKIM key; publish dnsValue at dnsName',
          body: z.strictObject({ domain: z.string().min(1).max(253), selector: z.string().min(1).max(63) }),
          response: { 201: DkimKey, ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (req, reply) => reply.status(201).send(await d.dkimKeys.create(req.tenantId, req.body.domain, req.body.selector)),
    );
    app.get(
      '/api/dkim-keys',
      { schema: { operationId: 'listDkimKeys', tags: ['deliverability'], summary: 'DKIM keys with the DNS records to publish', response: { 200: z.object({ items: z.array(DkimKey) }), ...errorResponses(401, 403) } } },
      async (req) => ({ items: await d.dkimKeys.list(req.tenantId) }),
    );
    app.delete(
      '/api/dkim-keys/:id',
      { schema: { operationId: 'deleteDkimKey', tags: ['deliverability'], summary: 'Delete a DKIM key', params: z.strictObject({ id: Id }), response: { 204: NoContent, ...errorResponses(400, 401, 403, 404, 409) } } },
      async (req, reply) => {
        await d.dkimKeys.delete(req.tenantId, req.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/deliverability/check',
      {
        schema: {
          operationId: 'checkDomain',
          tags: ['deliverability'],
          summary: "Check a domain's SPF, DKIM and DMARC records",
          body: z.strictObject({ domain: z.string().min(1).max(253), dkimSelector: z.string().min(1).max(63).optional() }),
          response: { 200: z.object({ spf: Check, dkim: Check, dmarc: Check, advice: z.array(z.string()) }), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => {
        const report = await d.domains.check(req.tenantId, req.body.domain, req.body.dkimSelector);
        return { spf: report.spf, dkim: report.dkim, dmarc: report.dmarc, advice: report.advice };
      },
    );
  };
