import { api, type Tenant, type TenantType } from '../api.js';
import { session } from '../session.js';
import { useLoad } from './useLoad.js';

/**
 * The current tenant's type. System keys see it in the tenant list; a tenant-bound key
 * cannot list tenants, so it reads the type from the tenant's own settings export.
 */
export function useTenantType(tenants: Tenant[] | undefined): TenantType | undefined {
  const tenantId = session.tenantId();
  const listed = tenants?.find((t) => t.id === tenantId)?.type;
  const exported = useLoad(() => (listed || session.isSystem() ? Promise.resolve(undefined) : api.exportConfig().then((b) => b.tenant.type)), [tenantId, listed]);
  return listed ?? exported.data;
}
