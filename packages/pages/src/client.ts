/**
 * The end-user API client of the hosted pages (SPEC §8–10): no admin key, the tenant prefix
 * from the page's own path, the tokens in sessionStorage, refresh on expiry.
 */
import { PosternError, tenantPrefix, type components, type operations } from '@postern/client';

type Schemas = components['schemas'];
type JsonOk<O extends keyof operations> = operations[O]['responses'] extends { 200: { content: { 'application/json': infer T } } } ? T : never;

// The answers' types come from the server's OpenAPI document (packages/client).
export type Tokens = Schemas['Tokens'];
export interface CodeSent {
  verificationId: string;
  expiresAt?: string;
  resendAfter?: number;
}
export type SignInAnswer = JsonOk<'signInWithVerificationCode'>;
export type MfaChallenge = Extract<SignInAnswer, { mfaRequired: true }>;
export type Account = Schemas['MyAccount'];
export type InvitationView = JsonOk<'getInvitation'>;
export type MagicLinkAnswer = JsonOk<'consumeMagicLink'>;

interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds at which the access token expires. */
  expiresAt: number;
}

function store(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Seconds to wait from a 429: `details.retryAfter`, else the `Retry-After` header. */
export function retryAfterOf(e: unknown): number | undefined {
  if (!(e instanceof PosternError)) return undefined;
  const r = e.details.retryAfter;
  return typeof r === 'number' && r >= 0 ? Math.ceil(r) : undefined;
}

/** The access token was refused (not a wrong password, which is also a 401). */
export function isAuthFailure(e: unknown): boolean {
  return e instanceof PosternError && e.status === 401 && (e.code === 'account.unauthorized' || e.code === 'session.invalid_token');
}

export class HostedClient {
  private refreshing: Promise<boolean> | undefined;
  constructor(
    readonly tenantId: string,
    private readonly now: () => number = Date.now,
  ) {}

  private get key() {
    return `postern.hosted.${this.tenantId}.tokens`;
  }

  /** Where a hosted page of this tenant lives (`/t/acme/sign-in`). */
  path(page: string): string {
    return `${tenantPrefix(this.tenantId)}/${page.replace(/^\//, '')}`;
  }

  tokens(): StoredTokens | null {
    const raw = store()?.getItem(this.key);
    if (!raw) return null;
    try {
      const t = JSON.parse(raw) as StoredTokens;
      return typeof t.accessToken === 'string' && typeof t.refreshToken === 'string' ? t : null;
    } catch {
      return null;
    }
  }
  saveTokens(t: Tokens): void {
    const stored: StoredTokens = { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: this.now() + t.expiresIn * 1000 };
    store()?.setItem(this.key, JSON.stringify(stored));
  }
  clearTokens(): void {
    store()?.removeItem(this.key);
  }
  signedIn(): boolean {
    return !!this.tokens();
  }

  /** One call; error answers become `PosternError` with `details.retryAfter` filled from the header on a 429. */
  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(tenantPrefix(this.tenantId) + path, { method, headers: h, body: body === undefined ? null : JSON.stringify(body) });
    } catch {
      throw new PosternError(0, 'network.error', 'The server could not be reached.');
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed as T;
    const b = (parsed && typeof parsed === 'object' ? parsed : {}) as { code?: unknown; message?: unknown; details?: unknown };
    const details = { ...(b.details && typeof b.details === 'object' ? (b.details as Record<string, unknown>) : {}) };
    const header = Number(res.headers.get('retry-after'));
    if (res.status === 429 && typeof details.retryAfter !== 'number' && Number.isFinite(header)) details.retryAfter = header;
    throw new PosternError(res.status, typeof b.code === 'string' ? b.code : `http.${res.status}`, typeof b.message === 'string' ? b.message : `HTTP ${res.status}`, details);
  }

  /** Trades the refresh token for new tokens; false (and signed out) when it is no longer valid. */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const t = this.tokens();
      if (!t) return false;
      try {
        this.saveTokens(await this.call<Tokens>('POST', '/api/token', { grantType: 'refresh_token', refreshToken: t.refreshToken }));
        return true;
      } catch (e) {
        if (e instanceof PosternError && (e.status === 401 || e.status === 400)) this.clearTokens();
        else throw e;
        return false;
      }
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /**
   * A call with the access token, refreshed first when it has expired and once more when
   * the token is refused. Still refused: the tokens are dropped and the error is rethrown (the page goes to sign-in).
   */
  async authed<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    let t = this.tokens();
    if (!t) throw new PosternError(401, 'account.unauthorized', 'Not signed in.');
    if (t.expiresAt - 15_000 <= this.now() && (await this.refresh())) t = this.tokens();
    if (!t) throw new PosternError(401, 'account.unauthorized', 'Not signed in.');
    try {
      return await this.call<T>(method, path, body, { ...headers, authorization: `Bearer ${t.accessToken}` });
    } catch (e) {
      if (!isAuthFailure(e)) throw e;
      if (!(await this.refresh())) throw e;
      const again = this.tokens();
      if (!again) throw e;
      try {
        return await this.call<T>(method, path, body, { ...headers, authorization: `Bearer ${again.accessToken}` });
      } catch (e2) {
        if (isAuthFailure(e2)) this.clearTokens();
        throw e2;
      }
    }
  }

  async signOut(): Promise<void> {
    const t = this.tokens();
    this.clearTokens();
    if (t) await this.call('POST', '/api/sign-out', { refreshToken: t.refreshToken }).catch(() => undefined);
  }
}
