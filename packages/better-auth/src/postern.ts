/** Where and how to reach a Postern tenant. */
export interface PosternConnection {
  /** Postern's base URL, e.g. `https://auth-mail.example.com`. */
  url: string;
  /** An admin key of the tenant (`POST /api/admin-keys`); keep it on the server. */
  apiKey: string;
  /** The tenant id; `default` (served at the root) when omitted. */
  tenant?: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
}

/** An error answered by Postern: its status and `{code, message, details}` (SPEC §2). */
export class PosternError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PosternError';
  }
}

/** Calls one management route of the tenant and returns its JSON (or undefined for 204). */
export async function callPostern<T>(
  c: PosternConnection,
  path: string,
  body: unknown,
  init: { acceptLanguage?: string | undefined } = {},
): Promise<T> {
  const base = c.url.replace(/\/+$/, '');
  const prefix = c.tenant && c.tenant !== 'default' ? `/t/${encodeURIComponent(c.tenant)}` : '';
  const res = await (c.fetch ?? fetch)(`${base}${prefix}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${c.apiKey}`,
      'content-type': 'application/json',
      ...(init.acceptLanguage ? { 'accept-language': init.acceptLanguage } : {}),
    },
    body: JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    throw new PosternError(
      res.status,
      typeof json?.code === 'string' ? json.code : 'postern.unexpected_response',
      typeof json?.message === 'string' ? json.message : `Postern answered ${res.status}.`,
      json?.details ?? {},
    );
  }
  return json as T;
}

/** better-auth's OTP purposes. */
export type OtpType = 'sign-in' | 'email-verification' | 'forget-password' | 'change-email';

/** Postern's template type for each of better-auth's OTP purposes. */
export const TEMPLATE_FOR: Record<OtpType, string> = {
  'sign-in': 'SignIn',
  'email-verification': 'Register',
  'forget-password': 'ForgotPassword',
  'change-email': 'BindNewIdentifier',
};
