import type { Page, PageRequest } from '../ports.js';

export type ApplicationType = 'spa' | 'traditional' | 'native';
/** How the application's ID tokens are signed (SPEC §17): ES256 by default, RS256 on request. */
export type IdTokenAlg = 'ES256' | 'RS256';

/** An application (OIDC client) as stored; the client id is the application id. */
export interface ApplicationRecord {
  id: string;
  tenantId: string;
  name: string;
  type: ApplicationType;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  corsOrigins: string[];
  logoUrl: string | null;
  idTokenSignedResponseAlg: IdTokenAlg;
  /** Keyring ciphertext of the client secret; null for public clients. */
  encryptedSecret: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Applications of a tenant (SPEC §17). */
export interface ApplicationStore {
  insert(a: ApplicationRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<ApplicationRecord | undefined>;
  list(tenantId: string, page: PageRequest): Promise<Page<ApplicationRecord>>;
  /** Every origin some application of the tenant registered for CORS. */
  corsOrigins(tenantId: string): Promise<Set<string>>;
  update(a: ApplicationRecord): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** What oidc-provider stores through its adapter (its own JSON payload plus lookup keys). */
export interface OidcPayload {
  [key: string]: unknown;
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: number;
}

/** The storage behind oidc-provider's adapter interface. Expired rows read as absent. */
export interface OidcStore {
  upsert(
    tenantId: string,
    model: string,
    id: string,
    payload: OidcPayload,
    expiresInSeconds: number | undefined,
    now: Date,
  ): Promise<void>;
  find(tenantId: string, model: string, id: string, now: Date): Promise<OidcPayload | undefined>;
  findByUid(tenantId: string, model: string, uid: string, now: Date): Promise<OidcPayload | undefined>;
  findByUserCode(tenantId: string, model: string, userCode: string, now: Date): Promise<OidcPayload | undefined>;
  consume(tenantId: string, model: string, id: string, now: Date): Promise<void>;
  destroy(tenantId: string, model: string, id: string): Promise<void>;
  revokeByGrantId(tenantId: string, grantId: string): Promise<void>;
  revokeByClient(tenantId: string, clientId: string): Promise<void>;
}
