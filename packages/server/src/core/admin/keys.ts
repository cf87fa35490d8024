import { randomUUID } from 'node:crypto';
import { randomToken, safeEqual, sha256Hex } from '../../lib/crypto.js';
import type { AdminKeyRecord, AdminKeyStore, Clock, Page, PageRequest } from '../ports.js';
import { AppError } from '../errors.js';

/** Who a valid admin key speaks for: `tenantId: null` is a system key (every tenant). */
export interface AdminPrincipal {
  keyId: string;
  tenantId: string | null;
}

export const hashAdminKey = (key: string): string => sha256Hex(`postern-admin-key:${key}`);

/**
 * Admin keys are random 256-bit tokens stored as SHA-256 hashes (a slow hash adds nothing
 * for keys of this entropy and would cost every API call). The bootstrap key from
 * POSTERN_ADMIN_KEY is never stored: it is compared with its hash in memory.
 */
export class AdminKeys {
  private readonly bootstrapHash: string | undefined;

  constructor(
    private readonly store: AdminKeyStore,
    private readonly clock: Clock,
    bootstrapKey: string | undefined,
  ) {
    this.bootstrapHash = bootstrapKey ? hashAdminKey(bootstrapKey) : undefined;
  }

  async authenticate(key: string): Promise<AdminPrincipal | undefined> {
    if (key.length < 16 || key.length > 512) return undefined;
    const hash = hashAdminKey(key);
    if (this.bootstrapHash && safeEqual(hash, this.bootstrapHash)) return { keyId: 'bootstrap', tenantId: null };
    const rec = await this.store.findByHash(hash);
    return rec ? { keyId: rec.id, tenantId: rec.tenantId } : undefined;
  }

  /** Creates a key; the clear key is returned once and never stored. */
  /** Keys of a tenant (system keys when tenantId is null), without their hashes. */
  list(tenantId: string | null, page: PageRequest): Promise<Page<Omit<AdminKeyRecord, 'keyHash'>>> {
    return this.store.list(tenantId, page);
  }

  async delete(id: string, tenantId: string | null): Promise<void> {
    if (!(await this.store.delete(id, tenantId))) throw new AppError('admin_key.not_found');
  }

  async create(name: string, tenantId: string | null) {
    const key = randomToken('pk_');
    const record = { id: randomUUID(), tenantId, name, keyHash: hashAdminKey(key), createdAt: this.clock.now().toISOString() };
    await this.store.create(record);
    return { id: record.id, name, tenantId, key, createdAt: record.createdAt };
  }

  /**
   * On first start without POSTERN_ADMIN_KEY, makes a system key to print once.
   * Returns undefined when a system key already exists or the env key is set.
   */
  async ensureBootstrapKey(): Promise<string | undefined> {
    if (this.bootstrapHash) return undefined;
    if ((await this.store.countSystemKeys()) > 0) return undefined;
    return (await this.create('bootstrap', null)).key;
  }
}
