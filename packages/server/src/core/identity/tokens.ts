import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, importJWK, jwtVerify, decodeProtectedHeader, type JWTPayload } from 'jose';
import { sha256Hex } from '../../lib/crypto.js';
import { timeOrderedId } from '../../lib/ids.js';
import { AppError } from '../errors.js';
import type { Clock } from '../ports.js';
import type { RefreshTokenStore, SessionInfo, User } from './ports.js';
import { ACCESS_TOKEN_TTL_SECONDS, type SigningKeys } from './signing-keys.js';

export { ACCESS_TOKEN_TTL_SECONDS };
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** What sign-in, MFA, registration and the token endpoint answer with (SPEC §8). */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

export interface AccessClaims {
  sub: string;
  tenantId: string;
  email: string | null;
  emailVerified: boolean;
  amr: string[];
  /** The refresh-token family the access token was issued with. */
  sid: string;
}

/**
 * Access tokens (JWT ES256, 15 minutes) and rotating refresh tokens (opaque, 30 days,
 * stored as SHA-256 hashes in families; a reused token revokes its family).
 */
export class TokenService {
  constructor(
    private readonly keys: SigningKeys,
    private readonly refresh: RefreshTokenStore,
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {}

  issuer(tenantId: string): string {
    return tenantId === 'default' ? this.publicUrl : `${this.publicUrl}/t/${tenantId}`;
  }

  private async accessToken(user: User, amr: string[], sid: string): Promise<string> {
    const { kid, key } = await this.keys.current(user.tenantId);
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT({ email: user.email, email_verified: user.emailVerified, amr, sid })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(this.issuer(user.tenantId))
      .setSubject(user.id)
      .setAudience(user.tenantId)
      .setIssuedAt(now)
      .setExpirationTime(now + ACCESS_TOKEN_TTL_SECONDS)
      .setJti(randomUUID())
      .sign(key);
  }

  private newRefresh(): { token: string; hash: string; expiresAt: string; createdAt: string; id: string } {
    const token = `prt_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    return { token, hash: sha256Hex(token), id: timeOrderedId(), createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString() };
  }

  /** Starts a new session (refresh-token family) for a user who just signed in. */
  async issue(user: User, amr: string[]): Promise<Tokens> {
    const r = this.newRefresh();
    const familyId = timeOrderedId();
    await this.refresh.insert({ id: r.id, tenantId: user.tenantId, userId: user.id, familyId, tokenHash: r.hash, amr, expiresAt: r.expiresAt, createdAt: r.createdAt });
    return { accessToken: await this.accessToken(user, amr, familyId), refreshToken: r.token, expiresIn: ACCESS_TOKEN_TTL_SECONDS, tokenType: 'Bearer' };
  }

  /** Rotates a refresh token; `loadUser` re-reads the account so the claims are current. */
  async rotate(tenantId: string, refreshToken: string, loadUser: (id: string) => Promise<User | undefined>): Promise<Tokens> {
    const invalid = () => new AppError('session.invalid_token', 'The refresh token is invalid, expired or was already used.');
    if (!refreshToken.startsWith('prt_') || refreshToken.length > 200) throw invalid();
    const r = this.newRefresh();
    const out = await this.refresh.rotate(tenantId, sha256Hex(refreshToken), { id: r.id, tokenHash: r.hash, expiresAt: r.expiresAt, createdAt: r.createdAt }, this.clock.now().toISOString());
    if (out.outcome !== 'ok') throw invalid();
    const user = await loadUser(out.previous.userId);
    if (!user) throw invalid();
    return { accessToken: await this.accessToken(user, out.previous.amr, out.previous.familyId), refreshToken: r.token, expiresIn: ACCESS_TOKEN_TTL_SECONDS, tokenType: 'Bearer' };
  }

  async signOut(tenantId: string, refreshToken: string): Promise<void> {
    if (refreshToken.length > 200) return;
    await this.refresh.revokeFamilyOf(tenantId, sha256Hex(refreshToken));
  }

  revokeUser(tenantId: string, userId: string, keepFamily?: string): Promise<number> {
    return this.refresh.revokeUser(tenantId, userId, keepFamily);
  }

  /** The user's live sessions (refresh-token families), most recently used first. */
  sessionsOf(tenantId: string, userId: string): Promise<SessionInfo[]> {
    return this.refresh.sessionsOf(tenantId, userId, this.clock.now().toISOString());
  }

  revokeSession(tenantId: string, userId: string, sessionId: string): Promise<boolean> {
    return this.refresh.revokeFamily(tenantId, userId, sessionId);
  }

  /** Verifies an access token of this tenant whose session is still alive; null otherwise. */
  async verifyAccessToken(tenantId: string, token: string): Promise<AccessClaims | null> {
    if (token.length > 4096) return null;
    let payload: JWTPayload;
    try {
      const { kid, alg } = decodeProtectedHeader(token);
      if (alg !== 'ES256' || typeof kid !== 'string') return null;
      const jwk = await this.keys.publicKey(tenantId, kid);
      if (!jwk) return null;
      const key = await importJWK(jwk, 'ES256');
      ({ payload } = await jwtVerify(token, key, { issuer: this.issuer(tenantId), audience: tenantId, algorithms: ['ES256'], currentDate: this.clock.now() }));
    } catch {
      return null;
    }
    const { sub, sid, amr, email, email_verified: ev } = payload as JWTPayload & Record<string, unknown>;
    if (typeof sub !== 'string' || typeof sid !== 'string') return null;
    if (!(await this.refresh.familyActive(tenantId, sid, this.clock.now().toISOString()))) return null;
    return { sub, sid, tenantId, amr: Array.isArray(amr) ? amr.map(String) : [], email: typeof email === 'string' ? email : null, emailVerified: ev === true };
  }
}
