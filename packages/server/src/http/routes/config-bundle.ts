import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { BundleSchema, type ConfigBundles } from '../../core/config-bundle.js';
import { errorResponses } from '../schemas.js';
import type { Services } from '../context.js';

const ImportResultSchema = z
  .object({
    changes: z.array(
      z.object({
        path: z.string().meta({ description: 'The field, e.g. connector.config.host, templates.en/SignIn, branding.companyName' }),
        action: z.enum(['add', 'update', 'remove']),
        before: z.unknown().optional().meta({ description: "The target's value now; absent when added, and for secrets" }),
        after: z.unknown().optional().meta({ description: 'The value after the import; absent when removed, and for secrets' }),
        secret: z.enum(['added', 'replaced', 'removed']).optional().meta({ description: "Set on a connector's secret field, whose values are never shown" }),
      }),
    ),
    secrets: z
      .array(z.object({ path: z.string(), outcome: z.enum(['kept', 'added', 'replaced', 'removed']) }))
      .optional()
      .meta({ description: "What becomes of each of the connectors' secret fields, including those the target keeps as they are" }),
    applied: z.boolean(),
  })
  .meta({ id: 'ConfigImportResult' });

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
          summary: 'Import a settings bundle: each change with its value before and after, applied in one transaction unless dryRun',
          description: 'Refused as a whole (dry run too): an invalid template (422 template.invalid), two templates of one type and language (400), "connector": null while sign-in needs email (409 connector.in_use), reusing the target\'s stored secrets for a connector with another destination (400 connector.bad_config). See docs/config-bundle.md.',
          body: z.strictObject({
            bundle: z.unknown(),
            secrets: z.record(z.string().max(200), z.string().max(10_000)).optional(),
            dryRun: z.boolean().default(false),
          }),
          response: {
            200: ImportResultSchema,
            ...errorResponses(400, 401, 403, 409, 422),
          },
        },
      },
      async (req) => bundles.import(req.tenant, req.body),
    );
  };
