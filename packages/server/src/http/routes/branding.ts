import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BrandingSchema, type BrandingService } from '../../core/branding.js';
import { errorResponses } from '../schemas.js';

export const brandingRoutes =
  (d: { branding: BrandingService }): FastifyPluginAsyncZod =>
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
  };
