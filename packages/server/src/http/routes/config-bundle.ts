import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { BundleSchema, type ConfigBundles } from '../../core/config-bundle.js';
import { errorResponses } from '../schemas.js';
import type { Services } from '../context.js';

export const configBundleRoutes =
  (_s: Services, bundles: ConfigBundles): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/config/export',
      {
        schema: {
          operationId: 'exportConfig',
          tags: ['tenants'],
          summary: "Export the tenant's settings as a bundle; secrets only with includeSecrets=true and a system key",
          querystring: z.strictObject({ includeSecrets: z.enum(['true', 'false']).default('false') }),
          response: { 200: BundleSchema, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => {
        const include = req.query.includeSecrets === 'true';
        if (include && req.principal?.tenantId !== null) throw new AppError('auth.forbidden', 'Exporting secrets needs a system admin key.');
        return bundles.export(req.tenant, include);
      },
    );
    app.post(
      '/api/config/import',
      {
        schema: {
          operationId: 'importConfig',
          tags: ['tenants'],
          summary: 'Import a settings bundle: the changes, applied in one transaction unless dryRun',
          description: 'Refused as a whole (dry run too): an invalid template (422 template.invalid), two templates of one type and language (400), "connector": null while sign-in needs email (409 connector.in_use), reusing the target\'s stored secrets for a connector with another destination (400 connector.bad_config). See docs/config-bundle.md.',
          body: z.strictObject({
            bundle: z.unknown(),
            secrets: z.record(z.string().max(200), z.string().max(10_000)).optional(),
            dryRun: z.boolean().default(false),
          }),
          response: {
            200: z.object({ changes: z.array(z.object({ path: z.string(), action: z.enum(['add', 'update', 'remove']) })), applied: z.boolean() }),
            ...errorResponses(400, 401, 403, 409, 422),
          },
        },
      },
      async (req) => bundles.import(req.tenant, req.body),
    );
  };
