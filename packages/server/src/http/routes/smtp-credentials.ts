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
const Listener = z
  .object({
    enabled: z.boolean().meta({ description: 'Whether the listener runs (POSTERN_SMTP_PORT or POSTERN_SMTPS_PORT is set)' }),
    host: z.string().nullable().meta({ description: 'The host name clients connect to (that of POSTERN_PUBLIC_URL, which a generated certificate names)' }),
    listenHost: z.string().nullable().meta({ description: 'The address the listener is bound to (POSTERN_SMTP_HOST, else HOST)' }),
    port: z.number().int().nullable().meta({ description: 'Submission port with STARTTLS, if on' }),
    smtpsPort: z.number().int().nullable().meta({ description: 'Implicit-TLS port, if on' }),
    fingerprint: z.string().nullable().meta({ description: "SHA-256 fingerprint of the listener's certificate" }),
    certificateGenerated: z.boolean().nullable().meta({ description: 'Whether the certificate is self-signed by Postern (clients must then be told to trust it)' }),
  })
  .meta({ id: 'SmtpListener' });

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
    app.get(
      '/api/smtp-credentials/listener',
      {
        schema: {
          operationId: 'getSmtpListener',
          tags: ['smtp'],
          summary: 'Whether the SMTP submission listener runs, and the host, ports and certificate fingerprint to give clients',
          response: { 200: Listener, ...errorResponses(401, 403) },
        },
      },
      async () => {
        const l = s.smtp.listener();
        const cert = s.smtp.certificate();
        if (!l || !cert) return { enabled: false, host: null, listenHost: null, port: null, smtpsPort: null, fingerprint: null, certificateGenerated: null };
        return {
          enabled: true,
          host: l.host,
          listenHost: l.listenHost,
          port: l.port ?? null,
          smtpsPort: l.smtpsPort ?? null,
          fingerprint: cert.fingerprint,
          certificateGenerated: cert.origin === 'generated',
        };
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
