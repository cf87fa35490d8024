import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TEMPLATE_TYPES } from '@postern/connector-kit';
import { AppError } from '../../core/errors.js';
import { isTemplateError, lintTemplate, sampleVariables, type TemplateContent, type TemplateRenderer } from '../../core/templates/index.js';
import type { EffectiveTemplate, TemplateService } from '../../core/templates/service.js';
import { BrandingSchema, type BrandingService } from '../../core/branding.js';
import { errorResponses, NoContent } from '../schemas.js';
import type { Services } from '../context.js';

const Locale = z.string().min(2).max(35).regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or pt-BR');
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
const Warning = z.object({ code: z.string(), message: z.string(), field: z.string().optional() });
const Body = z.strictObject({
  subject: z.string().min(1).max(998),
  html: z.string().min(1).max(500_000),
  text: z.string().max(500_000).nullish(),
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

/** Turns a renderer error into `422 template.invalid` with its position. */
function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isTemplateError(err)) throw new AppError('template.invalid', err.message, { ...err.details });
    throw err;
  }
}

export interface TemplateDeps {
  templates: TemplateService;
  renderer: TemplateRenderer;
  branding: BrandingService;
}

export const templateRoutes =
  (s: Services, d: TemplateDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/email-templates',
      {
        schema: {
          tags: ['email templates'],
          summary: 'The effective templates (the tenant’s own, else the shipped defaults)',
          querystring: z.strictObject({ locale: Locale.optional(), templateType: Type.optional() }),
          response: { 200: z.object({ items: z.array(Template) }), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => ({ items: (await d.templates.list(req.tenantId, req.query)).map(toApi) }),
    );
    app.put(
      '/api/email-templates/:locale/:templateType',
      {
        schema: {
          tags: ['email templates'],
          summary: 'Save the tenant’s template for a locale and type',
          params: z.strictObject({ locale: Locale, templateType: Type }),
          body: Body,
          response: { 200: Template, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => {
        const { locale, templateType } = req.params;
        const content: TemplateContent = {
          subject: req.body.subject,
          html: req.body.html,
          ...(req.body.text ? { text: req.body.text } : {}),
          ...(req.body.replyTo ? { replyTo: req.body.replyTo } : {}),
          ...(req.body.senderName ? { senderName: req.body.senderName } : {}),
        };
        checked(() => d.renderer.validate(content));
        const updatedAt = s.clock.now().toISOString();
        await s.stores.templates.put({ tenantId: req.tenantId, locale, templateType, subject: content.subject, html: content.html, text: content.text ?? null, replyTo: content.replyTo ?? null, senderName: content.senderName ?? null, updatedAt });
        d.templates.invalidate(req.tenantId);
        return toApi({ locale, templateType, content, isDefault: false, updatedAt });
      },
    );
    app.delete(
      '/api/email-templates/:locale/:templateType',
      {
        schema: {
          tags: ['email templates'],
          summary: 'Revert to the shipped default',
          params: z.strictObject({ locale: Locale, templateType: Type }),
          response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        const done = await s.stores.templates.delete(req.tenantId, req.params.locale, req.params.templateType);
        d.templates.invalidate(req.tenantId);
        if (!done) throw new AppError('template.not_found', 'This tenant has no template of its own for that locale and type.');
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/email-templates/preview',
      {
        schema: {
          tags: ['email templates'],
          summary: 'Render a template (saved or given) with sample data, and lint it',
          body: z.strictObject({
            locale: Locale,
            templateType: Type,
            subject: z.string().max(998).optional(),
            html: z.string().max(500_000).optional(),
            text: z.string().max(500_000).optional(),
            variables: z.record(z.string(), z.unknown()).optional(),
          }),
          response: { 200: z.object({ subject: z.string(), html: z.string(), text: z.string(), warnings: z.array(Warning) }), ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => {
        const b = req.body;
        const eff = await d.templates.effective(req.tenantId, b.locale, b.templateType);
        const content: TemplateContent = {
          ...eff.content,
          ...(b.subject !== undefined ? { subject: b.subject } : {}),
          ...(b.html !== undefined ? { html: b.html } : {}),
          ...(b.text !== undefined ? { text: b.text } : {}),
        };
        if (b.text === '') delete content.text;
        const branding = await d.branding.get(req.tenantId);
        const sample = sampleVariables(b.templateType, b.locale);
        const rendered = checked(() => {
          d.renderer.validate(content);
          return d.renderer.render(content, { ...sample, branding: { ...sample.branding, ...branding }, ...(b.variables as object) });
        });
        return { ...rendered, warnings: lintTemplate(b.templateType, content, rendered) };
      },
    );
    app.get(
      '/api/branding',
      { schema: { tags: ['branding'], summary: 'The tenant’s branding', response: { 200: BrandingSchema, ...errorResponses(401, 403) } } },
      async (req) => d.branding.get(req.tenantId),
    );
    app.patch(
      '/api/branding',
      {
        schema: {
          tags: ['branding'],
          summary: 'Change the branding (JSON Merge Patch)',
          body: z.record(z.string(), z.unknown()),
          response: { 200: BrandingSchema, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => d.branding.patch(req.tenantId, req.body),
    );
  };
