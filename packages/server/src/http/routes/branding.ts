import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BrandingSchema, type BrandingService } from '../../core/branding.js';
import type { SignInExperienceService } from '../../core/sign-in-experience.js';
import { errorResponses } from '../schemas.js';

export const brandingRoutes =
  (d: { branding: BrandingService; signInExperience: SignInExperienceService }): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/branding',
      {
        schema: {
          operationId: 'getBranding',
          tags: ['branding'],
          summary: 'The tenant’s branding',
          response: { 200: BrandingSchema, ...errorResponses(401, 403) },
        },
      },
      async (req) => d.branding.get(req.tenantId),
    );
    app.patch(
      '/api/branding',
      {
        schema: {
          operationId: 'updateBranding',
          tags: ['branding'],
          summary: 'Change the branding (JSON Merge Patch)',
          body: z.record(z.string(), z.unknown()),
          response: { 200: BrandingSchema, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => d.branding.patch(req.tenantId, req.body),
    );
    app.get(
      '/api/experience/branding',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'getExperienceBranding',
          tags: ['experience'],
          security: [],
          summary: 'What the hosted pages wear: the tenant’s name, logos and colour (no other branding field), and the language they speak when nothing else picks one',
          response: {
            200: z.object({
              name: z.string().meta({ description: 'The company name, else the sender name, else the tenant’s name' }),
              logoUrl: z.string().nullable(),
              darkLogoUrl: z.string().nullable().meta({ description: 'The logo for dark mode; null to use logoUrl' }),
              primaryColor: z.string().nullable(),
              defaultLanguage: z.string().meta({
                description: 'The tenant’s default language (sign-in experience `languages.default`): the pages speak it when neither the address, the picker nor the browser names a language they ship',
              }),
              autoDetectLanguage: z.boolean().meta({
                description: 'Sign-in experience `languages.autoDetect`: whether the browser’s languages choose the pages’ language; when false the default language comes right after what the visitor named (`?lang=`, `ui_locales`, the picker)',
              }),
            }),
            ...errorResponses(404),
          },
        },
      },
      async (req) => {
        const [b, sie] = await Promise.all([d.branding.get(req.tenantId), d.signInExperience.get(req.tenantId)]);
        return {
          name: b.companyName || b.senderName || req.tenant.name,
          logoUrl: b.logoUrl ?? null,
          darkLogoUrl: b.darkLogoUrl ?? null,
          primaryColor: b.primaryColor ?? null,
          defaultLanguage: sie.languages.default,
          autoDetectLanguage: sie.languages.autoDetect,
        };
      },
    );
  };
