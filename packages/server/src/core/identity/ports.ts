import type { Page, PageRequest } from '../ports.js';

/** The storage interfaces of the identity domain; Kysely implementations live in storage/stores/identity. */

export interface User {
  id: string;
  tenantId: string;
  email: string | null;
  emailKey: string | null;
  emailVerified: boolean;
  name: string | null;
  passwordHash: string | null;
  mfaEmail: boolean;
  createdAt: string;
  updatedAt: string;
}

export type UserChanges = Partial<Pick<User, 'email' | 'emailKey' | 'emailVerified' | 'name' | 'passwordHash' | 'mfaEmail'>>;

export interface UserStore {
  /** false when the tenant already has an account with this email key. */
  create(user: User): Promise<boolean>;
  get(tenantId: string, id: string): Promise<User | undefined>;
  findByEmailKey(tenantId: string, emailKey: string): Promise<User | undefined>;
  /** Newest first; `search` matches the email key or the name, case-insensitively. */
  list(tenantId: string, search: string | undefined, page: PageRequest): Promise<Page<User>>;
  /** 'email_exists' when the new email key is taken, false when there is no such user. */
  update(tenantId: string, id: string, changes: UserChanges, at: string): Promise<boolean | 'email_exists'>;
  /** Deletes the user with their sessions, grants and memberships. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface RefreshTokenRecord {
  id: string;
  tenantId: string;
  userId: string;
  familyId: string;
  tokenHash: string;
  amr: string[];
  expiresAt: string;
  createdAt: string;
}

export type RotateOutcome =
  | { outcome: 'ok'; previous: RefreshTokenRecord }
  /** The token was already rotated or revoked: its whole family is now revoked. */
  | { outcome: 'reused' }
  | { outcome: 'invalid' };

export interface RefreshTokenStore {
  insert(t: RefreshTokenRecord): Promise<void>;
  /**
   * In one transaction: marks the active token `oldHash` rotated and inserts `next` in its
   * family (next.familyId, userId and amr are taken from the old one). A rotated or revoked
   * token revokes its family instead, and that revocation is kept.
   */
  rotate(tenantId: string, oldHash: string, next: Omit<RefreshTokenRecord, 'familyId' | 'userId' | 'amr' | 'tenantId'>, now: string): Promise<RotateOutcome>;
  revokeFamilyOf(tenantId: string, tokenHash: string): Promise<void>;
  /** Revokes every family of the user, except `keepFamily`. */
  revokeUser(tenantId: string, userId: string, keepFamily?: string): Promise<number>;
  /** Deletes up to `limit` tokens that expired before `before`; resolves how many. */
  purge(before: string, limit: number): Promise<number>;
  /** Whether the family still has an active token (access tokens carry the family as `sid`). */
  familyActive(tenantId: string, familyId: string, now: string): Promise<boolean>;
  /** The user's live sessions (families with an active, unexpired token), most recently used first. */
  sessionsOf(tenantId: string, userId: string, now: string): Promise<SessionInfo[]>;
  /** Revokes one family of the user; false when it has no token left to revoke. */
  revokeFamily(tenantId: string, userId: string, familyId: string): Promise<boolean>;
}

/** A signed-in session as the console shows it: a refresh-token family, never a token. */
export interface SessionInfo {
  id: string;
  amr: string[];
  createdAt: string;
  lastActiveAt: string;
  expiresAt: string;
}

export type GrantKind = 'mfa' | 'registration' | 'identity';
export interface Grant {
  tokenHash: string;
  tenantId: string;
  kind: GrantKind;
  userId: string | null;
  email: string | null;
  emailKey: string | null;
  data: Record<string, unknown> | null;
  expiresAt: string;
  createdAt: string;
}

/** Short-lived opaque tokens stored hashed (mfaToken, registrationToken, identity verification). */
export interface GrantStore {
  insert(g: Grant): Promise<void>;
  /** The grant if it exists, is of this kind and tenant, unconsumed and unexpired. */
  find(tenantId: string, kind: GrantKind, tokenHash: string, now: string): Promise<Grant | undefined>;
  /** Consumes it atomically; false if it was consumed (or expired) before. */
  consume(tenantId: string, kind: GrantKind, tokenHash: string, now: string): Promise<boolean>;
  revokeUser(tenantId: string, userId: string, now: string): Promise<void>;
  purge(before: string): Promise<number>;
}

/** The algorithms a tenant signs with: ES256 (access and ID tokens), RS256 (ID tokens of applications that ask for it). */
export type SigningAlg = 'ES256' | 'RS256';

export interface SigningKey {
  kid: string;
  tenantId: string;
  alg: SigningAlg;
  status: 'current' | 'previous';
  publicJwk: Record<string, unknown>;
  /** Encrypted private JWK. */
  privateJwk: string;
  createdAt: string;
  /** When a previous key stops being published (null: at the next rotation). */
  retireAt: string | null;
}

export interface SigningKeyStore {
  /** The current keys of a tenant (one per algorithm) and the previous ones not yet due to retire at `now`; current first. */
  published(tenantId: string, now: string): Promise<SigningKey[]>;
  /** Inserts the first current key of its algorithm; false if another writer made one first. */
  insertFirst(key: SigningKey): Promise<boolean>;
  /**
   * In one transaction, for the key's algorithm: retires the previous keys due by `now`,
   * demotes the current one to previous until `retireAt`, inserts this one as current.
   */
  rotate(key: SigningKey, retireAt: string, now: string): Promise<void>;
}

export interface Organization {
  id: string;
  tenantId: string;
  name: string;
  createdAt: string;
}
export interface Member {
  userId: string;
  email: string | null;
  name: string | null;
  createdAt: string;
}
export type InvitationStatus = 'pending' | 'accepted' | 'revoked';
export interface Invitation {
  id: string;
  tenantId: string;
  organizationId: string;
  email: string;
  emailKey: string;
  inviterId: string | null;
  tokenHash: string;
  status: InvitationStatus;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface OrganizationStore {
  create(org: Organization): Promise<void>;
  get(tenantId: string, id: string): Promise<Organization | undefined>;
  list(tenantId: string, page: PageRequest): Promise<Page<Organization>>;
  members(tenantId: string, organizationId: string, page: PageRequest): Promise<Page<Member>>;
  insertInvitation(inv: Invitation): Promise<void>;
  deleteInvitation(tenantId: string, id: string): Promise<void>;
  getInvitation(tenantId: string, id: string): Promise<Invitation | undefined>;
  findInvitationByHash(tenantId: string, tokenHash: string): Promise<Invitation | undefined>;
  listInvitations(tenantId: string, organizationId: string, page: PageRequest): Promise<Page<Invitation>>;
  /** Replaces the token of a pending invitation; false if it is no longer pending. */
  replaceInvitationToken(tenantId: string, id: string, tokenHash: string, at: string): Promise<boolean>;
  /** pending → revoked; false if it was not pending. */
  revokeInvitation(tenantId: string, id: string, at: string): Promise<boolean>;
  /** In one transaction: pending → accepted (guarded) and the membership; false if it was not pending. */
  acceptInvitation(tenantId: string, id: string, userId: string, at: string): Promise<boolean>;
}

/** The devices accounts signed in from (SPEC §19), by the SHA-256 of the device cookie. */
export interface DeviceStore {
  /**
   * Records that the account signed in from this device: `known` when it had before, `new`
   * when it had not, `first` when the account had no device recorded at all.
   */
  see(tenantId: string, userId: string, deviceHash: string, at: string): Promise<'first' | 'new' | 'known'>;
}

export interface IdentityStores {
  devices: DeviceStore;
  users: UserStore;
  refreshTokens: RefreshTokenStore;
  grants: GrantStore;
  signingKeys: SigningKeyStore;
  organizations: OrganizationStore;
}
