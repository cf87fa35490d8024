import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isNoticeTemplateType, TEMPLATE_TYPES } from '@postern/connector-kit';
import { CodePolicySchema } from '../../core/codes/policy.js';
import { errorResponses, NoContent } from '../schemas.js';
import { verificationError } from '../../core/codes/outcome.js';
import type { Services } from '../context.js';
import { assertEmailAllowed } from './abuse.js';

const Email = z.string().min(1).max(320);

export const codeRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/verification-code-policy',
      { schema: { operationId: 'getVerificationCodePolicy', tags: ['verification codes'], summary: 'The verification code policy', response: { 200: CodePolicySchema, ...errorResponses(401, 403) } } },
      async (req) => s.codes.policies.get(req.tenantId),
    );
    app.patch(
      '/api/verification-code-policy',
      {
        schema: {
          operationId: 'updateVerificationCodePolicy',
          tags: ['verification codes'],
          summary: 'Change the policy (JSON Merge Patch); testAddresses only on development tenants',
          body: z.record(z.string(), z.unknown()),
          response: { 200: CodePolicySchema, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => s.codes.policies.patch(req.tenantId, req.tenant.type, req.body),
    );
    app.post(
      '/api/verification-codes',
      {
        schema: {
          operationId: 'sendVerificationCode',
          tags: ['verification codes'],
          summary: 'Send a code to an address with the chosen template type',
          body: z.strictObject({
            email: Email,
            templateType: z
              .enum(TEMPLATE_TYPES)
              .refine((t) => !isNoticeTemplateType(t), 'is an account-security notice, which carries no code; choose a code-bearing template type such as Generic')
              .default('Generic'),
            payload: z.record(z.string(), z.unknown()).optional().meta({ description: 'Extra template variables, e.g. link' }),
            locale: z.string().min(2).max(35).optional(),
          }),
          response: { 201: z.object({ verificationId: z.string(), expiresAt: z.string() }), ...errorResponses(400, 401, 403, 422, 429, 502, 504) },
        },
      },
      async (req, reply) => {
        await assertEmailAllowed(s, req, req.body.email);
        const r = await s.codes.service.issue({
          tenant: req.tenant,
          email: req.body.email,
          flow: 'api',
          templateType: req.body.templateType,
          variables: req.body.payload ?? {},
          locale: req.body.locale,
          acceptLanguage: req.headers['accept-language'],
          ip: req.ip,
        });
        return reply.status(201).send({ verificationId: r.verificationId, expiresAt: r.expiresAt });
      },
    );
    app.post(
      '/api/verification-codes/verify',
      {
        schema: {
          operationId: 'verifyVerificationCode',
          tags: ['verification codes'],
          summary: 'Verify (and consume) a code sent with POST /api/verification-codes',
          body: z.strictObject({
            verificationId: z.string().min(1).max(100),
            email: Email,
            code: z.string().min(1).max(32),
            templateType: z.enum(TEMPLATE_TYPES).optional().meta({ description: 'Not needed: the verification id names the template type. When given, it must be the one the code was sent with.' }),
          }),
          response: { 204: NoContent, ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (req, reply) => {
        const v = await s.codes.service.verify({ tenant: req.tenant, verificationId: req.body.verificationId, email: req.body.email, code: req.body.code, flow: 'api', templateType: req.body.templateType });
        if (!v.ok) throw verificationError(v);
        return reply.status(204).send(null);
      },
    );
  };
