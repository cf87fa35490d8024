import { AppError } from '../errors.js';
import { normalizeEmail } from '../email-address.js';
import type { Clock, Page, PageRequest } from '../ports.js';
import type { Suppression, SuppressionReason, SuppressionStore } from './ports.js';

/** A hard bounce suppresses for 30 days (mailboxes come back); complaints and manual entries stay. */
export const HARD_BOUNCE_DAYS = 30;

export type PublicSuppression = Omit<Suppression, 'tenantId' | 'emailKey'>;
export const toPublicSuppression = ({ tenantId: _t, emailKey: _k, ...rest }: Suppression): PublicSuppression => rest;

/** The per-tenant suppression list (SPEC §16). */
export class Suppressions {
  constructor(
    private readonly store: SuppressionStore,
    private readonly clock: Clock,
  ) {}

  /** The live entry for an address, if any; an address that cannot be read is not suppressed. */
  async find(tenantId: string, email: string): Promise<Suppression | undefined> {
    let key: string;
    try {
      key = normalizeEmail(email).key;
    } catch {
      return undefined;
    }
    return this.store.find(tenantId, key, this.clock.now().toISOString());
  }

  async add(tenantId: string, email: string, reason: SuppressionReason, source: string): Promise<Suppression> {
    const addr = normalizeEmail(email);
    const now = this.clock.now();
    const expiresAt =
      reason === 'hard_bounce' ? new Date(now.getTime() + HARD_BOUNCE_DAYS * 86400_000).toISOString() : null;
    await this.store.upsert({
      tenantId,
      emailKey: addr.key,
      email: addr.address,
      reason,
      source,
      createdAt: now.toISOString(),
      expiresAt,
    });
    // The stored entry, which may be an earlier permanent one.
    return (await this.store.find(tenantId, addr.key, now.toISOString()))!;
  }

  async remove(tenantId: string, email: string): Promise<void> {
    const addr = normalizeEmail(email);
    if (!(await this.store.remove(tenantId, addr.key)))
      throw new AppError('suppression.not_found', `${addr.address} is not on the suppression list.`);
  }

  list(tenantId: string, search: string | undefined, page: PageRequest): Promise<Page<Suppression>> {
    return this.store.list(tenantId, search?.trim() || undefined, this.clock.now().toISOString(), page);
  }

  purge(): Promise<number> {
    return this.store.purgeExpired(this.clock.now().toISOString());
  }
}
