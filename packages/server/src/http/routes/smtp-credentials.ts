import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { errorResponses, Id, NameText, NoContent, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';

const View = z
  .object({
    id: z.string(),
    name: z.string(),
    username: z.string().meta({ description: 'The SMTP user name (AUTH PLAIN/LOGIN)' }),
    allowedFromDomains: z.array(z.string()).meta({ description: 'Domains the envelope sender and the From: header may use' }),
    maxRecipientsPerHour: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'SmtpCredential' });
const Created = View.extend({
  password: z.string().meta({ description: 'The SMTP password, shown only in this answer (stored as a hash)' }),
});
const Certificate = z
  .object({
    pem: z.string().meta({ description: "The listener's certificate, PEM (add it to a client's trust store)" }),
    fingerprint: z.string().meta({ description: 'SHA-256 fingerprint, colon-separated hex' }),
    generated: z.boolean().meta({ description: 'Whether Postern made it (self-signed) or it came from POSTERN_SMTP_TLS_CERT' }),
  })
  .meta({ id: 'SmtpCertificate' });

/** The SMTP submission listener's credentials and certificate (SPEC §18). */
export const smtpCredentialRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const credentials = s.smtp.credentials;
    app.post(
      '/api/smtp-credentials',
      {
        schema: {
          operationId: 'createSmtpCredential',
          tags: ['smtp'],
          summary: 'Create an SMTP submission credential; `password` is shown only in this answer',
          body: z.strictObject({
            name: NameText(),
            allowedFromDomains: z.array(z.string().min(1).max(253)).min(1).max(50),
            maxRecipientsPerHour: z.number().int().min(1).max(1_000_000).optional().meta({ description: 'Hourly recipient cap (default 1000)' }),
          }),
          response: { 201: Created, ...errorResponses(400, 401, 403) },
        },
      },
      async (req, reply) => reply.status(201).send(await credentials.create(req.tenantId, req.body)),
    );
    app.get(
      '/api/smtp-credentials',
      {
        schema: {
          operationId: 'listSmtpCredentials',
          tags: ['smtp'],
          summary: "List this tenant's SMTP credentials (never their passwords)",
          querystring: PageQuery,
          response: { 200: pageOf(View), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => credentials.list(req.tenantId, req.query),
    );
    app.get(
      '/api/smtp-credentials/certificate',
      {
        schema: {
          operationId: 'getSmtpCertificate',
          tags: ['smtp'],
          summary: "The SMTP listener's TLS certificate, for clients that verify it",
          response: { 200: Certificate, ...errorResponses(401, 403, 404) },
        },
      },
      async () => {
        const cert = s.smtp.certificate();
        if (!cert) throw new AppError('smtp.disabled');
        return { pem: cert.cert, fingerprint: cert.fingerprint, generated: cert.origin === 'generated' };
      },
    );
    app.delete(
      '/api/smtp-credentials/:id',
      {
        schema: {
          operationId: 'deleteSmtpCredential',
          tags: ['smtp'],
          summary: 'Delete an SMTP credential; it stops working at once',
          params: z.strictObject({ id: Id }),
          response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        await credentials.delete(req.tenantId, req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
