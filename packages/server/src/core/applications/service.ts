import { AppError } from '../errors.js';
import type { Clock, Page, PageRequest } from '../ports.js';
import type { Keyring } from '../../lib/crypto.js';
import { randomToken } from '../../lib/crypto.js';
import { timeOrderedId } from '../../lib/ids.js';
import type { ApplicationRecord, ApplicationStore, ApplicationType, IdTokenAlg } from './ports.js';

/** An application as the API shows it (never its secret, except once in `clientSecret`). */
export interface Application {
  id: string;
  clientId: string;
  name: string;
  type: ApplicationType;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  corsOrigins: string[];
  logoUrl: string | null;
  /** The algorithm of its ID tokens' signatures. */
  idTokenSignedResponseAlg: IdTokenAlg;
  /** Whether the application authenticates with a client secret (`traditional`). */
  hasClientSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ApplicationInput {
  name: string;
  type: ApplicationType;
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | undefined;
  corsOrigins?: string[] | undefined;
  logoUrl?: string | null | undefined;
  idTokenSignedResponseAlg?: IdTokenAlg | undefined;
}

export type ApplicationPatch = Partial<Omit<ApplicationInput, 'type'>>;

const secretAad = (tenantId: string, id: string) => `application-secret:${tenantId}:${id}`;

export const show = (a: ApplicationRecord): Application => ({
  id: a.id,
  clientId: a.id,
  name: a.name,
  type: a.type,
  redirectUris: a.redirectUris,
  postLogoutRedirectUris: a.postLogoutRedirectUris,
  corsOrigins: a.corsOrigins,
  logoUrl: a.logoUrl,
  idTokenSignedResponseAlg: a.idTokenSignedResponseAlg,
  hasClientSecret: a.encryptedSecret !== null,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
});

/** Called after an application changes or goes, so that caches (CORS, OIDC clients) forget it. */
export type ApplicationListener = (tenantId: string, id: string, deleted: boolean) => void | Promise<void>;

/** Applications API (SPEC §17): `traditional` ones get a client secret, shown once. */
export class Applications {
  private readonly listeners: ApplicationListener[] = [];

  constructor(
    private readonly store: ApplicationStore,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
  ) {}

  onChange(l: ApplicationListener): void {
    this.listeners.push(l);
  }

  private async changed(tenantId: string, id: string, deleted: boolean): Promise<void> {
    for (const l of this.listeners) await l(tenantId, id, deleted);
  }

  private newSecret(tenantId: string, id: string): { secret: string; encrypted: string } {
    const secret = randomToken('pcs_');
    return { secret, encrypted: this.keyring.encrypt(secret, secretAad(tenantId, id)) };
  }

  /** The clear client secret, for oidc-provider's comparison only. */
  clientSecret(a: ApplicationRecord): string | undefined {
    return a.encryptedSecret === null
      ? undefined
      : this.keyring.decrypt(a.encryptedSecret, secretAad(a.tenantId, a.id));
  }

  async create(tenantId: string, input: ApplicationInput): Promise<Application & { clientSecret?: string }> {
    const id = timeOrderedId().replace(/-/g, '');
    const now = this.clock.now().toISOString();
    const s = input.type === 'traditional' ? this.newSecret(tenantId, id) : undefined;
    const rec: ApplicationRecord = {
      id,
      tenantId,
      name: input.name,
      type: input.type,
      redirectUris: unique(input.redirectUris),
      postLogoutRedirectUris: unique(input.postLogoutRedirectUris ?? []),
      corsOrigins: unique(input.corsOrigins ?? []),
      logoUrl: input.logoUrl ?? null,
      idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? 'ES256',
      encryptedSecret: s?.encrypted ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.insert(rec);
    await this.changed(tenantId, id, false);
    return { ...show(rec), ...(s ? { clientSecret: s.secret } : {}) };
  }

  /** The stored application, or undefined (the OIDC client lookup). */
  find(tenantId: string, id: string): Promise<ApplicationRecord | undefined> {
    return this.store.get(tenantId, id);
  }

  /** Every origin some application of the tenant registered (end-user CORS). */
  corsOrigins(tenantId: string): Promise<Set<string>> {
    return this.store.corsOrigins(tenantId);
  }

  async record(tenantId: string, id: string): Promise<ApplicationRecord> {
    const a = await this.store.get(tenantId, id);
    if (!a) throw new AppError('application.not_found');
    return a;
  }

  /**
   * What the hosted pages show of the application that asks for a sign-in: its name and logo,
   * nothing an end user should not see (no redirect URIs, origins or type).
   */
  async card(tenantId: string, clientId: string): Promise<{ name: string; logoUrl: string | null }> {
    const a = await this.record(tenantId, clientId);
    return { name: a.name, logoUrl: a.logoUrl };
  }

  async get(tenantId: string, id: string): Promise<Application> {
    return show(await this.record(tenantId, id));
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Application>> {
    const p = await this.store.list(tenantId, page);
    return { items: p.items.map(show), nextCursor: p.nextCursor };
  }

  /** Whether some application of the tenant registered exactly this redirect URI (a magic link's `redirectTo`, SPEC §19). */
  async hasRedirectUri(tenantId: string, uri: string): Promise<boolean> {
    let cursor: string | undefined;
    for (;;) {
      const p = await this.store.list(tenantId, { limit: 100, cursor });
      if (p.items.some((a) => a.redirectUris.includes(uri))) return true;
      if (!p.nextCursor) return false;
      cursor = p.nextCursor;
    }
  }

  async update(tenantId: string, id: string, patch: ApplicationPatch): Promise<Application> {
    const a = await this.record(tenantId, id);
    const next: ApplicationRecord = {
      ...a,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.redirectUris !== undefined ? { redirectUris: unique(patch.redirectUris) } : {}),
      ...(patch.postLogoutRedirectUris !== undefined
        ? { postLogoutRedirectUris: unique(patch.postLogoutRedirectUris) }
        : {}),
      ...(patch.corsOrigins !== undefined ? { corsOrigins: unique(patch.corsOrigins) } : {}),
      ...(patch.logoUrl !== undefined ? { logoUrl: patch.logoUrl } : {}),
      ...(patch.idTokenSignedResponseAlg !== undefined ? { idTokenSignedResponseAlg: patch.idTokenSignedResponseAlg } : {}),
      updatedAt: this.clock.now().toISOString(),
    };
    if (!(await this.store.update(next))) throw new AppError('application.not_found');
    await this.changed(tenantId, id, false);
    return show(next);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.store.delete(tenantId, id))) throw new AppError('application.not_found');
    await this.changed(tenantId, id, true);
  }

  /** A new client secret for a `traditional` application; the old one stops working at once. */
  async rotateSecret(tenantId: string, id: string): Promise<Application & { clientSecret: string }> {
    const a = await this.record(tenantId, id);
    if (a.type !== 'traditional') {
      throw new AppError('request.invalid', 'Only traditional (server-side) applications have a client secret.', {
        issues: [{ path: 'type', message: `a ${a.type} application is a public client` }],
      });
    }
    const s = this.newSecret(tenantId, id);
    const next = { ...a, encryptedSecret: s.encrypted, updatedAt: this.clock.now().toISOString() };
    if (!(await this.store.update(next))) throw new AppError('application.not_found');
    await this.changed(tenantId, id, false);
    return { ...show(next), clientSecret: s.secret };
  }
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
