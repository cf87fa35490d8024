/**
 * Table types of the identity work, added to the shared `Database` by module augmentation.
 * Timestamps are ISO 8601 UTC text, JSON is text, booleans are 0/1.
 */
export interface UsersTable {
  id: string;
  tenant_id: string;
  /** Where mail goes: the address as normalised at the edge. */
  email: string | null;
  /** The lookup key (lower-cased local part + ASCII domain); unique per tenant. */
  email_key: string | null;
  email_verified: number;
  name: string | null;
  /** argon2id PHC string; null for code-only accounts. */
  password_hash: string | null;
  mfa_email: number;
  created_at: string;
  updated_at: string;
}

export interface RefreshTokensTable {
  id: string;
  tenant_id: string;
  user_id: string;
  family_id: string;
  /** SHA-256 of the token; never the token. */
  token_hash: string;
  status: 'active' | 'rotated' | 'revoked';
  /** JSON array of authentication methods of the sign-in that started the family. */
  amr: string;
  expires_at: string;
  created_at: string;
  used_at: string | null;
}

export interface IdentityGrantsTable {
  /** SHA-256 of the opaque token (mfaToken, registrationToken, identityVerificationToken). */
  token_hash: string;
  tenant_id: string;
  kind: 'mfa' | 'registration' | 'identity';
  user_id: string | null;
  email: string | null;
  email_key: string | null;
  data: string | null;
  expires_at: string;
  created_at: string;
  consumed_at: string | null;
}

export interface SigningKeysTable {
  kid: string;
  tenant_id: string;
  status: 'current' | 'previous' | 'retired';
  /** `ES256` (access and ID tokens) or `RS256` (ID tokens of applications that ask for it). */
  alg: 'ES256' | 'RS256';
  /** When a demoted (`previous`) key stops being published; null for keys demoted before 016. */
  retire_at: string | null;
  public_jwk: string;
  /** The private JWK, encrypted with the keyring (AAD: tenant and kid). */
  private_jwk: string;
  created_at: string;
}

export interface OrganizationsTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: string;
}

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  tenant_id: string;
  created_at: string;
}

export interface OrganizationInvitationsTable {
  id: string;
  tenant_id: string;
  organization_id: string;
  email: string;
  email_key: string;
  inviter_id: string | null;
  token_hash: string;
  status: 'pending' | 'accepted' | 'revoked';
  expires_at: string;
  created_at: string;
  updated_at: string;
}

/** A device an account signed in from (SPEC §19); the cookie is kept only as its SHA-256. */
export interface UserDevicesTable {
  tenant_id: string;
  user_id: string;
  device_hash: string;
  created_at: string;
  last_seen_at: string;
}

declare module '../../schema.js' {
  interface Database {
    users: UsersTable;
    refresh_tokens: RefreshTokensTable;
    identity_grants: IdentityGrantsTable;
    signing_keys: SigningKeysTable;
    organizations: OrganizationsTable;
    organization_members: OrganizationMembersTable;
    organization_invitations: OrganizationInvitationsTable;
    user_devices: UserDevicesTable;
  }
}
