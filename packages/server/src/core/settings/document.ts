import { mergePatch } from '../../lib/merge-patch.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { tooDeep } from '../errors.js';
import type { Clock, SettingsStore } from '../ports.js';

/**
 * One per-tenant settings document (branding, code policy, sign-in experience): stored
 * under one key, read on every send or sign-in and so kept briefly in memory, changed by a
 * JSON Merge Patch that the owner checks before it is saved. A change on this instance
 * applies at once, one on another instance within the TTL.
 */
export class SettingsDocument<T> {
  private readonly cache: TtlCache<T>;

  constructor(
    private readonly settings: SettingsStore,
    private readonly clock: Clock,
    private readonly key: string,
    /** Turns what is stored (nothing for a new tenant) into the effective document. */
    private readonly effective: (stored: T | undefined) => T,
    ttlMs = 2_000,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  get(tenantId: string): Promise<T> {
    return this.cache.get(tenantId, async () => this.effective(await this.settings.get<T>(tenantId, this.key)));
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  /**
   * Merges `patch` onto the current document; `check` validates the result (throwing an
   * AppError when it is refused) and returns what is saved.
   */
  async patch(tenantId: string, patch: unknown, check: (merged: unknown, current: T) => T | Promise<T>): Promise<T> {
    const current = await this.get(tenantId);
    const next = await check(mergePatch(current, patch, tooDeep), current);
    await this.settings.put(tenantId, this.key, next, this.clock.now().toISOString());
    this.cache.delete(tenantId);
    return next;
  }
}
