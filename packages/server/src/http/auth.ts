import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import type { Services } from './context.js';

const PUBLIC_API = /^\/api\/(experience|my-account|invitations|token|sign-out|openapi\.json|docs)(\/|$|\?)/;

/** Resolves the tenant of every request and, on management routes, the admin key. */
export function tenantAndAuthHook(s: Services) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const raw = req.raw as { posternTenant?: string };
    req.tenantId = raw.posternTenant ?? 'default';
    const tenant = await s.tenants.get(req.tenantId);
    const path = req.url;
    const routeAuth = req.routeOptions.config?.auth;
    const isManagement = routeAuth ? routeAuth !== 'public' : path.startsWith('/api/') && !PUBLIC_API.test(path);
    if (isManagement) {
      const header = req.headers.authorization;
      const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      const principal = m ? await s.adminKeys.authenticate(m[1]!) : undefined;
      if (!principal) throw new AppError('auth.unauthorized');
      if (principal.tenantId !== null && principal.tenantId !== req.tenantId) throw new AppError('auth.forbidden');
      if (routeAuth === 'system' && principal.tenantId !== null) throw new AppError('auth.forbidden', 'This call needs a system admin key.');
      req.principal = principal;
    }
    if (!tenant) {
      if (raw.posternTenant !== undefined || req.url.startsWith('/api/')) throw new AppError('tenant.not_found', `No tenant "${req.tenantId}".`);
      return;
    }
    req.tenant = tenant;
  };
}
