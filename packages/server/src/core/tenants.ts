import type { Clock, Page, PageRequest, Tenant, TenantStore, TenantType } from './ports.js';

export const TENANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Tenants, with a small read cache: every request resolves its tenant, and tenants are
 * never deleted, so a found tenant can be remembered briefly.
 */
export class Tenants {
  private readonly cache = new Map<string, { tenant: Tenant; at: number }>();

  constructor(
    private readonly store: TenantStore,
    private readonly clock: Clock,
  ) {}

  list(page: PageRequest): Promise<Page<Tenant>> {
    return this.store.list(page);
  }

  async get(id: string): Promise<Tenant | undefined> {
    const hit = this.cache.get(id);
    const now = Date.now();
    if (hit && now - hit.at < 30_000) return hit.tenant;
    const t = await this.store.get(id);
    if (t) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(id, { tenant: t, at: now });
    }
    return t;
  }

  async create(id: string, name: string, type: TenantType): Promise<Tenant | undefined> {
    const tenant = { id, name, type, createdAt: this.clock.now().toISOString() };
    return (await this.store.create(tenant)) ? tenant : undefined;
  }

  /** The default tenant exists from the first start, of type production (SPEC §2). */
  async ensureDefault(): Promise<void> {
    if (!(await this.store.get('default'))) await this.store.create({ id: 'default', name: 'Default', type: 'production', createdAt: this.clock.now().toISOString() });
  }
}
