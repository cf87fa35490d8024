import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { PageRequest } from '../ports.js';
import { nowIso, type IdentityDeps } from './context.js';
import type { Organization } from './ports.js';

/** Creating and listing organizations. */
export class OrganizationService {
  constructor(private readonly d: IdentityDeps) {}

  async create(tenantId: string, name: string): Promise<Organization> {
    const org = { id: randomUUID(), tenantId, name, createdAt: nowIso(this.d) };
    await this.d.stores.organizations.create(org);
    return org;
  }

  list(tenantId: string, page: PageRequest) {
    return this.d.stores.organizations.list(tenantId, page);
  }

  async members(tenantId: string, id: string, page: PageRequest) {
    if (!(await this.d.stores.organizations.get(tenantId, id))) throw new AppError('organization.not_found');
    return this.d.stores.organizations.members(tenantId, id, page);
  }
}
