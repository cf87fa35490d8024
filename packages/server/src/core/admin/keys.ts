import { randomUUID } from 'node:crypto';
import { randomToken, safeEqual, sha256Hex } from '../../lib/crypto.js';
import type { AdminKeyRecord, AdminKeyStore, Clock, Page, PageRequest } from '../ports.js';
import { AppError } from '../errors.js';

/** A key as the API lists it: never the key or its hash. */
export interface AdminKeyInfo {
  id: string;
  name: string;
  tenantId: string | null;
  createdAt: string;
  /** A system key (every tenant). */
  system: boolean;
  /** The key this request was made with. */
  current: boolean;
}

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
  async create(name: string, tenantId: string | null) {
    const key = randomToken('pk_');
    const record = { id: randomUUID(), tenantId, name, keyHash: hashAdminKey(key), createdAt: this.clock.now().toISOString() };
    await this.store.create(record);
    return { id: record.id, name, tenantId, key, createdAt: record.createdAt };
  }

  /** Creates a key of `tenantId`, or a system key (only a system key may). */
  async createFor(principal: AdminPrincipal, name: string, tenantId: string, system: boolean) {
    if (system && principal.tenantId !== null) throw new AppError('auth.forbidden', 'Only a system admin key can create a system key.');
    return this.info(await this.create(name, system ? null : tenantId), principal);
  }

  private info<T extends Omit<AdminKeyRecord, 'keyHash'>>(k: T, principal: AdminPrincipal): T & AdminKeyInfo {
    return { ...k, system: k.tenantId === null, current: k.id === principal.keyId };
  }

  /** The tenant's keys and, for a system key, the system keys as well (flagged `system`). */
  async list(principal: AdminPrincipal, tenantId: string, page: PageRequest): Promise<Page<AdminKeyInfo>> {
    const p = await this.store.list(tenantId, page, principal.tenantId === null);
    return { ...p, items: p.items.map((k) => this.info(k, principal)) };
  }

  /** A key this principal may manage from this tenant: the tenant's own, or a system key for a system principal. */
  private async manageable(principal: AdminPrincipal, tenantId: string, id: string): Promise<AdminKeyRecord> {
    const k = await this.store.get(id);
    if (!k || (k.tenantId !== null && k.tenantId !== tenantId) || (k.tenantId === null && principal.tenantId !== null)) throw new AppError('admin_key.not_found');
    return k;
  }

  /**
   * Revokes a key. The last stored system key is kept (`409 admin_key.last_system_key`)
   * unless POSTERN_ADMIN_KEY is set: rotate it, or create another system key first.
   */
  async revoke(principal: AdminPrincipal, tenantId: string, id: string): Promise<void> {
    const k = await this.manageable(principal, tenantId, id);
    if (k.tenantId !== null) {
      if (!(await this.store.delete(id, k.tenantId))) throw new AppError('admin_key.not_found');
      return;
    }
    const r = await this.store.deleteSystemKey(id, this.bootstrapHash ? 0 : 1);
    if (r === 'not_found') throw new AppError('admin_key.not_found');
    if (r === 'last') throw new AppError('admin_key.last_system_key');
  }

  /** Replaces a key by a new one with the same name and scope, in one transaction; the new key is shown once. */
  async rotate(principal: AdminPrincipal, tenantId: string, id: string) {
    return this.info(await this.rotateKey(await this.manageable(principal, tenantId, id)), principal);
  }

  /** The CLI's rotation: any stored key by id. */
  async rotateById(id: string) {
    const k = await this.store.get(id);
    if (!k) throw new AppError('admin_key.not_found');
    return this.rotateKey(k);
  }

  private async rotateKey(old: AdminKeyRecord) {
    const key = randomToken('pk_');
    const record = { id: randomUUID(), tenantId: old.tenantId, name: old.name, keyHash: hashAdminKey(key), createdAt: this.clock.now().toISOString() };
    if (!(await this.store.replace(old.id, record))) throw new AppError('admin_key.not_found');
    return { id: record.id, name: record.name, tenantId: record.tenantId, key, createdAt: record.createdAt, replaces: old.id };
  }

  /** The CLI's revocation: any stored key by id, with the same last-system-key rule. */
  async revokeById(id: string): Promise<void> {
    const k = await this.store.get(id);
    if (!k) throw new AppError('admin_key.not_found');
    return this.revoke({ keyId: 'cli', tenantId: null }, k.tenantId ?? '', id);
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
