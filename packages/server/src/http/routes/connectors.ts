import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { configJsonSchema, TEMPLATE_TYPES, type ConnectorFactory } from '@postern/connector-kit';
import { errorResponses, Id } from '../schemas.js';
import type { Services } from '../context.js';
import type { StoredConnector } from '../../core/ports.js';

const Factory = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    logo: z.string().meta({ description: 'SVG document' }),
    readme: z.string().meta({ description: 'Markdown' }),
    configSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of the config; secret fields carry "writeOnly": true, destination fields (where the connector sends) "x-postern-destination": true' }),
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
    eventsUrl: z.string().nullable().meta({
      description:
        "Where the provider sends bounces and complaints (SPEC §16); null for factories that take no events. Postmark's carries generated basic-auth credentials, in full only when made",
    }),
  })
  .meta({ id: 'Connector' });

const Config = z.record(z.string(), z.unknown());
/** Checked by the one address normaliser (control characters, quotes, IDN) in the handler. */
const Email = z.string().min(1).max(320).meta({ format: 'email' });

export const connectorRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    /** The public connector with its events URL; Postmark credentials are made with a new connector. */
    const withEvents = async (c: StoredConnector, made = false) => {
      const fresh = made && c.factoryId === 'postmark' ? await s.events.providerEvents.newCredentials(c) : undefined;
      return { ...s.email.connectors.toPublic(c), eventsUrl: await s.events.providerEvents.eventsUrl(c, fresh) };
    };
    const jsonSchemas = new Map<string, Record<string, unknown>>();
    const describe = (f: ConnectorFactory) => {
      let schema = jsonSchemas.get(f.id);
      if (!schema) jsonSchemas.set(f.id, (schema = configJsonSchema(f.configSchema)));
      return { id: f.id, name: f.name, description: f.description, logo: f.logo, readme: f.readme, configSchema: schema, capabilities: f.capabilities };
    };

    app.get(
      '/api/connector-factories',
      { schema: { operationId: 'listConnectorFactories', tags: ['connectors'], summary: 'Connector factories: built-in and custom', response: { 200: z.array(Factory), ...errorResponses(401, 403) } } },
      async () => s.email.registry.list().map(describe),
    );
    app.get(
      '/api/connector-factories/:id',
      { schema: { operationId: 'getConnectorFactory', tags: ['connectors'], summary: 'One connector factory', params: z.strictObject({ id: Id }), response: { 200: Factory, ...errorResponses(400, 401, 403, 404) } } },
      async (req) => describe(s.email.connectors.factory(req.params.id)),
    );
    app.get(
      '/api/connectors',
      { schema: { operationId: 'listConnectors', tags: ['connectors'], summary: "The tenant's email connector (at most one)", response: { 200: z.object({ items: z.array(Connector) }), ...errorResponses(401, 403) } } },
      async (req) => {
        const c = await s.email.connectors.emailConnector(req.tenantId);
        return { items: c ? [await withEvents(c)] : [] };
      },
    );
    app.post(
      '/api/connectors',
      {
        schema: {
          operationId: 'createConnector',
          tags: ['connectors'],
          summary: 'Create the email connector',
          body: z.strictObject({ factoryId: Id, config: Config }),
          response: { 201: Connector, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => reply.status(201).send(await withEvents(await s.email.connectors.create(req.tenantId, req.body.factoryId, req.body.config), true)),
    );
    app.put(
      '/api/connectors/email',
      {
        schema: {
          operationId: 'replaceEmailConnector',
          tags: ['connectors'],
          summary: 'Create or replace the email connector in one transaction ("Change email connector")',
          body: z.strictObject({ factoryId: Id, config: Config }),
          response: { 200: Connector, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => withEvents(await s.email.connectors.replace(req.tenantId, req.body.factoryId, req.body.config), true),
    );
    app.post(
      '/api/connectors/test',
      {
        schema: {
          operationId: 'testConnector',
          tags: ['connectors'],
          summary: 'Send one real test message with an unsaved config',
          description: 'Masked secrets are filled from the saved connector of the same factory, unless a destination field differs from it (then 400 connector.bad_config names each secret to send again). `to` is checked like every address (control characters, quotes, display names are 400 request.invalid). The delivery rules (timeouts, retries) apply.',
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
        const out = await s.email.testSend.send({
          tenantId: req.tenantId,
          factoryId: req.body.factoryId,
          config: req.body.config,
          to: req.body.to,
          templateType: req.body.templateType,
          locale: req.body.locale,
          acceptLanguage: req.headers['accept-language'],
          ip: req.ip,
          role: req.body.role,
        });
        return { ok: true as const, providerMessageId: out.providerMessageId, durationMs: Math.round(out.durationMs), attempts: out.attempts };
      },
    );
    app.get(
      '/api/connectors/:id',
      { schema: { operationId: 'getConnector', tags: ['connectors'], summary: 'One connector', params: z.strictObject({ id: Id }), response: { 200: Connector, ...errorResponses(400, 401, 403, 404) } } },
      async (req) => withEvents(await s.email.connectors.get(req.tenantId, req.params.id)),
    );
    app.patch(
      '/api/connectors/:id',
      {
        schema: {
          operationId: 'updateConnector',
          tags: ['connectors'],
          summary: 'Change the config (JSON Merge Patch; a masked or omitted secret keeps the stored one)',
          description: 'A stored secret is reused only while no destination field changes (fields marked "x-postern-destination" in the factory schema: host, port, URL, region, domain, token URL…); otherwise 400 connector.bad_config names each secret to send again.',
          params: z.strictObject({ id: Id }),
          body: z.strictObject({ config: Config }),
          response: { 200: Connector, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => withEvents(await s.email.connectors.patch(req.tenantId, req.params.id, req.body.config)),
    );
    app.delete(
      '/api/connectors/:id',
      {
        schema: {
          operationId: 'deleteConnector',
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
