import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isConnectorError } from '@postern/connector-kit';
import { AppError, fieldIssues } from '../../core/errors.js';
import { jsonTextDepth, MAX_JSON_DEPTH } from '../../lib/json-depth.js';
import { INTEGRATION_KINDS } from '../../core/ports.js';
import { SupabasePayload, supabaseMessages } from '../../core/integrations/supabase.js';
import { LogtoPayload, logtoMessage } from '../../core/integrations/logto.js';
import { KratosPayload, kratosMessage } from '../../core/integrations/kratos.js';
import { errorResponses, Id, NameText, NoContent, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';

const View = z
  .object({
    id: z.string(),
    kind: z.enum(INTEGRATION_KINDS),
    name: z.string(),
    url: z.string().meta({ description: 'The address to set in the other system' }),
    supabaseUrl: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Integration' });
const Created = View.extend({
  secret: z
    .string()
    .meta({
      description:
        'The shared secret, shown only in this answer (for Supabase in the `v1,whsec_…` form its configuration takes)',
    }),
});

const HttpsUrl = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.search && !u.hash && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without query, fragment or credentials');

/** A hook's JSON body, kept as sent (Supabase's signature covers the exact bytes). */
interface Raw {
  text: string;
  value?: unknown;
  error?: AppError;
}
const RAW = Symbol('raw body');
type WithRaw = FastifyRequest & { [RAW]?: Raw };

function parsed<T>(req: FastifyRequest, schema: z.ZodType<T>, what: string): T {
  const raw = (req as WithRaw)[RAW];
  if (!raw)
    throw new AppError(
      'integration.invalid_payload',
      `The body must be the JSON ${what} sends (Content-Type: application/json).`,
    );
  if (raw.error) throw raw.error;
  const r = schema.safeParse(raw.value);
  if (!r.success) {
    const issues = fieldIssues(r.error);
    throw new AppError(
      'integration.invalid_payload',
      `The body is not what ${what} sends: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`.slice(
        0,
        500,
      ),
      { issues },
    );
  }
  return r.data;
}

function bearer(h: unknown): string | undefined {
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

function basicPassword(h: unknown): string | undefined {
  const m = typeof h === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i >= 0 && decoded.slice(0, i) === 'postern' ? decoded.slice(i + 1) : undefined;
}

/**
 * Supabase reads a failure only from a 200 answer `{"error":{"http_code","message"}}`
 * (it ignores the body of any other status), so every failure is answered that way.
 */
function supabaseFailure(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof AppError || isConnectorError(err)) {
    return reply
      .status(200)
      .type('application/json')
      .send({
        error: { http_code: err.status, message: isConnectorError(err) ? `${err.code}: ${err.message}` : err.message },
      });
  }
  throw err;
}

const HookResponses = {
  200: z.object({}).meta({ description: 'Sent' }),
  ...errorResponses(400, 401, 404, 422, 429, 502, 504),
};

export const integrationRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const integrations = s.integrations;

    app.post(
      '/api/integrations',
      {
        schema: {
          operationId: 'createIntegration',
          tags: ['integrations'],
          summary: 'Create a hook for Supabase Auth, Logto or Ory Kratos; `secret` is shown only in this answer',
          body: z.strictObject({
            kind: z.enum(INTEGRATION_KINDS),
            name: NameText().optional(),
            supabaseUrl: HttpsUrl.optional().meta({
              description:
                "Supabase only: the project's URL, for the verification links (`{supabaseUrl}/auth/v1/verify?…`)",
            }),
          }),
          response: { 201: Created, ...errorResponses(400, 401, 403) },
        },
      },
      async (req, reply) => reply.status(201).send(await integrations.create(req.tenantId, req.body)),
    );
    app.get(
      '/api/integrations',
      {
        schema: {
          operationId: 'listIntegrations',
          tags: ['integrations'],
          summary: "List this tenant's integrations (never their secrets)",
          querystring: PageQuery,
          response: { 200: pageOf(View), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => integrations.list(req.tenantId, req.query),
    );
    app.get(
      '/api/integrations/:id',
      {
        schema: {
          operationId: 'getIntegration',
          tags: ['integrations'],
          summary: 'One integration (without its secret)',
          params: z.strictObject({ id: Id }),
          response: { 200: View, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => integrations.get(req.tenantId, req.params.id),
    );
    app.delete(
      '/api/integrations/:id',
      {
        schema: {
          operationId: 'deleteIntegration',
          tags: ['integrations'],
          summary: 'Delete an integration; its secret stops working at once',
          params: z.strictObject({ id: Id }),
          response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        await integrations.delete(req.tenantId, req.params.id);
        return reply.status(204).send(null);
      },
    );

    // The routes other systems call keep the body as sent and parse it themselves, so that
    // the signature is checked over the exact bytes and a malformed body gets their answer.
    await app.register(async (hooks) => {
      hooks.removeContentTypeParser('application/json');
      hooks.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
        const text = body as string;
        const raw: Raw = { text };
        if (jsonTextDepth(text) > MAX_JSON_DEPTH)
          raw.error = new AppError(
            'integration.invalid_payload',
            `The JSON body is nested too deeply (at most ${MAX_JSON_DEPTH} levels).`,
          );
        else {
          try {
            raw.value = JSON.parse(text);
          } catch {
            raw.error = new AppError('integration.invalid_payload', 'The body is not valid JSON.');
          }
        }
        (req as WithRaw)[RAW] = raw;
        done(null, undefined);
      });

      hooks.post(
        '/api/integrations/supabase/send-email',
        {
          config: { auth: 'public' },
          schema: {
            operationId: 'supabaseSendEmailHook',
            tags: ['integrations'],
            summary: "Supabase Auth's Send Email Hook (Standard Webhooks signature with the integration's secret)",
            description:
              'Called by Supabase Auth, not by people. Answers 200 `{}` once the message is sent, and on any failure 200 `{"error":{"http_code","message"}}`, the only failure Supabase reads.',
            security: [],
            response: {
              200: z.union([
                z.object({}),
                z.object({ error: z.object({ http_code: z.number(), message: z.string() }) }),
              ]),
            },
          },
        },
        async (req, reply) => {
          try {
            const raw = (req as WithRaw)[RAW];
            const integration = await integrations.authenticateSupabase(req.tenantId, req.headers, raw?.text ?? '');
            const body = parsed(req, SupabasePayload, 'Supabase Auth');
            await integrations.send(req.tenant, supabaseMessages(body, integration.supabaseUrl), req.ip);
            return reply.status(200).type('application/json').send({});
          } catch (err) {
            return supabaseFailure(reply, err);
          }
        },
      );
      hooks.post(
        '/api/integrations/logto/send-email',
        {
          config: { auth: 'public' },
          schema: {
            operationId: 'logtoSendEmailHook',
            tags: ['integrations'],
            summary: "Logto's HTTP email connector (Authorization: Bearer <integration secret>)",
            description: 'Called by Logto, not by people: `{to, type, payload: {code, link?, locale?, …}, ip?}`.',
            security: [],
            response: HookResponses,
          },
        },
        async (req, reply) => {
          await integrations.authenticateSecret(req.tenantId, 'logto', bearer(req.headers.authorization));
          const body = parsed(req, LogtoPayload, 'Logto');
          await integrations.send(req.tenant, [logtoMessage(body)], body.ip ?? req.ip);
          return reply.status(200).send({});
        },
      );
      hooks.post(
        '/api/integrations/kratos/send-email',
        {
          config: { auth: 'public' },
          schema: {
            operationId: 'kratosSendEmailHook',
            tags: ['integrations'],
            summary:
              "Ory Kratos' courier HTTP delivery (basic auth `postern` + integration secret, or Authorization: Bearer <secret>)",
            description:
              'Called by Kratos, not by people: the default request body, or the whole context (`function(ctx) ctx`), which carries the login and registration codes.',
            security: [],
            response: HookResponses,
          },
        },
        async (req, reply) => {
          const auth = req.headers.authorization;
          await integrations.authenticateSecret(req.tenantId, 'kratos', basicPassword(auth) ?? bearer(auth));
          const body = parsed(req, KratosPayload, 'Ory Kratos');
          await integrations.send(req.tenant, [kratosMessage(body)], req.ip);
          return reply.status(200).send({});
        },
      );
    });
  };
