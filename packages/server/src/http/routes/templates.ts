import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TEMPLATE_TYPES } from '@postern/connector-kit';
import { TEMPLATE_LIMITS, type TemplateContent } from '../../core/templates/index.js';
import type { EffectiveTemplate } from '../../core/templates/service.js';
import { errorResponses, Locale, NoContent, PageQuery, pageOf } from '../schemas.js';
import type { TemplateDeps } from '../context.js';

const Type = z.enum(TEMPLATE_TYPES);
const Template = z
  .object({
    locale: z.string(),
    templateType: Type,
    subject: z.string(),
    html: z.string(),
    text: z.string().nullable(),
    replyTo: z.string().nullable(),
    senderName: z.string().nullable(),
    isDefault: z.boolean(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'EmailTemplate' });
// The size of a part is the renderer's to judge (with the other template limits), so that an
// oversized template is the same clear `422 template.invalid` on save, preview and import.
const TemplatePart = z.string().meta({ description: `A Handlebars template; at most ${TEMPLATE_LIMITS.maxPartChars} characters, ${TEMPLATE_LIMITS.maxTags} tags and ${TEMPLATE_LIMITS.maxDepth} levels of nesting (else 422 template.invalid).` });
const Warning = z.object({ code: z.string(), message: z.string(), field: z.string().optional() });
const Body = z.strictObject({
  subject: z.string().min(1).max(998),
  html: TemplatePart.min(1),
  text: TemplatePart.nullish(),
  replyTo: z.string().max(320).nullish(),
  senderName: z.string().max(100).nullish(),
});

const toApi = (e: EffectiveTemplate) => ({
  locale: e.locale,
  templateType: e.templateType,
  subject: e.content.subject,
  html: e.content.html,
  text: e.content.text ?? null,
  replyTo: e.content.replyTo ?? null,
  senderName: e.content.senderName ?? null,
  isDefault: e.isDefault,
  updatedAt: e.updatedAt,
});

export const templateRoutes =
  (d: TemplateDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/email-templates',
      {
        schema: {
          operationId: 'listEmailTemplates',
          tags: ['email templates'],
          summary: 'The effective templates (the tenant’s own, else the shipped defaults), a page at a time',
          querystring: PageQuery.extend({ locale: Locale.optional(), templateType: Type.optional() }),
          response: { 200: pageOf(Template), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => {
        const { limit, cursor, locale, templateType } = req.query;
        const page = await d.templates.list(req.tenantId, { locale, templateType }, { limit, cursor });
        return { items: page.items.map(toApi), nextCursor: page.nextCursor };
      },
    );
    app.put(
      '/api/email-templates/:locale/:templateType',
      {
        schema: {
          operationId: 'saveEmailTemplate',
          tags: ['email templates'],
          summary: 'Save the tenant’s template for a locale and type',
          params: z.strictObject({ locale: Locale, templateType: Type }),
          body: Body,
          response: { 200: Template, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => {
        const content: TemplateContent = {
          subject: req.body.subject,
          html: req.body.html,
          ...(req.body.text ? { text: req.body.text } : {}),
          ...(req.body.replyTo ? { replyTo: req.body.replyTo } : {}),
          ...(req.body.senderName ? { senderName: req.body.senderName } : {}),
        };
        return toApi(await d.templates.save(req.tenantId, req.params.locale, req.params.templateType, content));
      },
    );
    app.delete(
      '/api/email-templates/:locale/:templateType',
      {
        schema: {
          operationId: 'revertEmailTemplate',
          tags: ['email templates'],
          summary: 'Revert to the shipped default',
          params: z.strictObject({ locale: Locale, templateType: Type }),
          response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        await d.templates.revert(req.tenantId, req.params.locale, req.params.templateType);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/email-templates/preview',
      {
        schema: {
          operationId: 'previewEmailTemplate',
          tags: ['email templates'],
          summary: 'Render a template (saved or given) with sample data, and lint it',
          body: z.strictObject({
            locale: Locale,
            templateType: Type,
            subject: z.string().max(998).optional(),
            html: TemplatePart.optional(),
            text: TemplatePart.optional(),
            variables: z.record(z.string(), z.unknown()).optional(),
          }),
          response: { 200: z.object({ subject: z.string(), html: z.string(), text: z.string(), warnings: z.array(Warning) }), ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => {
        const { locale, templateType, ...overrides } = req.body;
        return d.templates.preview(req.tenantId, locale, templateType, overrides);
      },
    );
  };
