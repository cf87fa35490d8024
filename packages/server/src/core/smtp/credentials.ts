import { randomBytes } from 'node:crypto';
import { timeOrderedId } from '../../lib/ids.js';
import { randomToken, safeEqual, sha256Hex } from '../../lib/crypto.js';
import { AppError } from '../errors.js';
import type { Clock, Page, PageRequest } from '../ports.js';
import { asciiHostname } from '../deliverability/names.js';
import type { SmtpCredentialRecord, SmtpCredentialStore } from './ports.js';

/** What a credential read shows (never the password or its hash). */
export interface SmtpCredentialView {
  id: string;
  name: string;
  username: string;
  allowedFromDomains: string[];
  maxRecipientsPerHour: number;
  createdAt: string;
}

export interface CreateSmtpCredential {
  name: string;
  allowedFromDomains: string[];
  maxRecipientsPerHour?: number | undefined;
}

/** SPEC §18: each credential may send to this many recipients an hour unless told otherwise. */
export const DEFAULT_MAX_RECIPIENTS_PER_HOUR = 1000;

const view = (r: SmtpCredentialRecord): SmtpCredentialView => ({
  id: r.id,
  name: r.name,
  username: r.username,
  allowedFromDomains: r.allowedFromDomains,
  maxRecipientsPerHour: r.maxRecipientsPerHour,
  createdAt: r.createdAt,
});

/**
 * Per-tenant SMTP submission credentials (SPEC §18). The password is random, shown once and
 * stored as its SHA-256: it has 256 bits of entropy, so a slow hash would add nothing but
 * cost on every connection (one connection per message is common: Zitadel, Keycloak).
 */
export class SmtpCredentials {
  constructor(
    private readonly store: SmtpCredentialStore,
    private readonly clock: Clock,
  ) {}

  async create(tenantId: string, req: CreateSmtpCredential): Promise<SmtpCredentialView & { password: string }> {
    const domains: string[] = [];
    req.allowedFromDomains.forEach((d, i) => {
      const ascii = asciiHostname(d);
      if (!ascii) {
        throw new AppError('request.invalid', `"${d}" is not a domain name; list the domains of the From addresses, such as example.com.`, {
          issues: [{ path: `allowedFromDomains.${i}`, message: 'must be a domain name such as example.com' }],
        });
      }
      if (!domains.includes(ascii)) domains.push(ascii);
    });
    const password = randomToken('', 24);
    const rec: SmtpCredentialRecord = {
      id: timeOrderedId(),
      tenantId,
      name: req.name,
      // Unique across tenants: the listener learns the tenant from the user name.
      username: `smtp_${randomBytes(10).toString('hex')}`,
      passwordHash: sha256Hex(password),
      allowedFromDomains: domains,
      maxRecipientsPerHour: req.maxRecipientsPerHour ?? DEFAULT_MAX_RECIPIENTS_PER_HOUR,
      createdAt: this.clock.now().toISOString(),
    };
    await this.store.create(rec);
    return { ...view(rec), password };
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<SmtpCredentialView>> {
    const p = await this.store.list(tenantId, page);
    return { items: p.items.map(view), nextCursor: p.nextCursor };
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.store.delete(tenantId, id))) throw new AppError('smtp_credential.not_found');
  }

  /** The credential these AUTH values name, or undefined (unknown user or wrong password alike). */
  async check(username: string, password: string): Promise<SmtpCredentialRecord | undefined> {
    if (username.length > 100 || password.length > 200) return undefined;
    const rec = await this.store.findByUsername(username);
    const given = sha256Hex(password);
    // Compared in constant time, and hashed even for an unknown user.
    return rec && safeEqual(rec.passwordHash, given) ? rec : undefined;
  }

  /** The credential as stored now (a deleted one ends the sessions that used it). */
  current(id: string): Promise<SmtpCredentialRecord | undefined> {
    return this.store.get(id);
  }
}
