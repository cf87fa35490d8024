import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { configJsonSchema, TEMPLATE_TYPES, type ConnectorFactory } from '@postern/connector-kit';
import { errorResponses, Id } from '../schemas.js';
import type { Services } from '../context.js';

const Factory = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    logo: z.string().meta({ description: 'SVG document' }),
    readme: z.string().meta({ description: 'Markdown' }),
    configSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of the config; secret fields carry "writeOnly": true' }),
    capabilities: z.object({ customTemplates: z.boolean(), providerTemplates: z.boolean(), customSender: z.boolean() }),
  })
  .meta({ id: 'ConnectorFactory' });

const Connector = z
  .object({
    id: z.string(),
    factoryId: z.string(),
    type: z.literal('email'),
    config: z.record(z.string(), z.unknown()).meta({ description: 'Secrets are masked as "••••" + the last 4 characters' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Connector' });

const Config = z.record(z.string(), z.unknown());
const Email = z.string().trim().min(3).max(320).regex(/^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+$/, 'must be an email address');

export const connectorRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const jsonSchemas = new Map<string, Record<string, unknown>>();
    const describe = (f: ConnectorFactory) => {
      let schema = jsonSchemas.get(f.id);
      if (!schema) jsonSchemas.set(f.id, (schema = configJsonSchema(f.configSchema)));
      return { id: f.id, name: f.name, description: f.description, logo: f.logo, readme: f.readme, configSchema: schema, capabilities: f.capabilities };
    };

    app.get(
      '/api/connector-factories',
      { schema: { tags: ['connectors'], summary: 'Connector factories: built-in and custom', response: { 200: z.array(Factory), ...errorResponses(401, 403) } } },
      async () => s.email.registry.list().map(describe),
    );
    app.get(
      '/api/connector-factories/:id',
      { schema: { tags: ['connectors'], summary: 'One connector factory', params: z.strictObject({ id: Id }), response: { 200: Factory, ...errorResponses(400, 401, 403, 404) } } },
      async (req) => describe(s.email.connectors.factory(req.params.id)),
    );
    app.get(
      '/api/connectors',
      { schema: { tags: ['connectors'], summary: "The tenant's email connector (at most one)", response: { 200: z.object({ items: z.array(Connector) }), ...errorResponses(401, 403) } } },
      async (req) => ({ items: await s.email.connectors.list(req.tenantId) }),
    );
    app.post(
      '/api/connectors',
      {
        schema: {
          tags: ['connectors'],
          summary: 'Create the email connector',
          body: z.strictObject({ factoryId: Id, config: Config }),
          response: { 201: Connector, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => reply.status(201).send(s.email.connectors.toPublic(await s.email.connectors.create(req.tenantId, req.body.factoryId, req.body.config))),
    );
    app.put(
      '/api/connectors/email',
      {
        schema: {
          tags: ['connectors'],
          summary: 'Create or replace the email connector in one transaction ("Change email connector")',
          body: z.strictObject({ factoryId: Id, config: Config }),
          response: { 200: Connector, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => s.email.connectors.toPublic(await s.email.connectors.replace(req.tenantId, req.body.factoryId, req.body.config)),
    );
    app.post(
      '/api/connectors/test',
      {
        schema: {
          tags: ['connectors'],
          summary: 'Send one real test message with an unsaved config',
          description: 'Masked secrets are filled from the saved connector of the same factory. The delivery rules (timeouts, retries) apply.',
          body: z.strictObject({
            factoryId: Id,
            config: Config,
            to: Email,
            templateType: z.enum(TEMPLATE_TYPES).default('Generic'),
            locale: z.string().min(2).max(35).optional(),
            role: z.enum(['primary', 'fallback']).default('primary').meta({ description: 'Whose saved secrets fill masked ones: the primary connector or the fallback (SPEC §15).' }),
          }),
          response: { 200: z.object({ ok: z.literal(true), providerMessageId: z.string().nullable(), durationMs: z.number(), attempts: z.number().int() }), ...errorResponses(400, 401, 403, 404, 422, 429, 502, 504) },
        },
      },
      async (req) => {
        const owner = req.body.role === 'fallback' ? s.email.fallback : s.email.connectors;
        const savedId = (await owner.list(req.tenantId))[0]?.id;
        const saved = savedId ? await owner.get(req.tenantId, savedId) : undefined;
        const config = await s.email.connectors.validateFor(req.tenantId, req.body.factoryId, req.body.config, saved);
        const { factory, connector } = await s.email.connectors.build(req.tenantId, req.body.factoryId, config);
        try {
          const out = await s.email.sender.sendWith(factory, connector, config, {
            tenantId: req.tenantId,
            to: req.body.to,
            templateType: req.body.templateType,
            locale: req.body.locale,
            acceptLanguage: req.headers['accept-language'],
            variables: { code: '000000', expiresInMinutes: 10 },
            ip: req.ip,
          });
          if (!out.ok) throw out.error!;
          return { ok: true as const, providerMessageId: out.providerMessageId, durationMs: Math.round(out.durationMs), attempts: out.attempts };
        } finally {
          void connector.close?.().catch(() => undefined);
        }
      },
    );
    app.get(
      '/api/connectors/:id',
      { schema: { tags: ['connectors'], summary: 'One connector', params: z.strictObject({ id: Id }), response: { 200: Connector, ...errorResponses(400, 401, 403, 404) } } },
      async (req) => s.email.connectors.toPublic(await s.email.connectors.get(req.tenantId, req.params.id)),
    );
    app.patch(
      '/api/connectors/:id',
      {
        schema: {
          tags: ['connectors'],
          summary: 'Change the config (JSON Merge Patch; a masked secret sent back keeps the stored one)',
          params: z.strictObject({ id: Id }),
          body: z.strictObject({ config: Config }),
          response: { 200: Connector, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => s.email.connectors.toPublic(await s.email.connectors.patch(req.tenantId, req.params.id, req.body.config)),
    );
    app.delete(
      '/api/connectors/:id',
      {
        schema: {
          tags: ['connectors'],
          summary: 'Delete the connector; 409 connector.in_use lists the sign-in settings that need it unless ?force=true',
          params: z.strictObject({ id: Id }),
          querystring: z.strictObject({ force: z.enum(['true', 'false']).optional() }),
          response: {
            200: z.object({
              deleted: z.literal(true),
              warnings: z.array(z.string()),
              fallbackConnector: z
                .object({ id: z.string(), factoryId: z.string(), promoted: z.literal(false), message: z.string() })
                .optional()
                .meta({ description: 'Present when a fallback connector exists: it stays the fallback and is not promoted; nothing is sent until a primary is set again.' }),
            }),
            ...errorResponses(400, 401, 403, 404, 409),
          },
        },
      },
      async (req) => {
        const out = await s.email.connectors.delete(req.tenantId, req.params.id, req.query.force === 'true');
        const fb = (await s.email.fallback.list(req.tenantId))[0];
        if (!fb) return out;
        return {
          ...out,
          fallbackConnector: {
            id: fb.id,
            factoryId: fb.factoryId,
            promoted: false as const,
            message: `The fallback connector (${fb.factoryId}) was not promoted: it is used only behind a primary. Until a primary is set with PUT /api/connectors/email, sends fail with connector.not_configured.`,
          },
        };
      },
    );
  };
