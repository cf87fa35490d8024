import { ConnectorError, findConnectorError, parseRetryAfter, scrubSecrets, type ConnectorContext } from '@postern/connector-kit';
import type { SmtpAuth } from './schema.js';

type OAuth2Auth = Extract<SmtpAuth, { type: 'oauth2' }>;

/** nodemailer's `provisionCallback(user, renew, cb)` for XOAUTH2. */
export type ProvisionCallback = (user: string, renew: boolean, cb: (err: Error | null, accessToken: string, expires: number) => void) => void;

/**
 * Gets XOAUTH2 access tokens from the refresh token through `ctx.fetch`, so that the
 * token endpoint is held to the destination policy too (nodemailer's own token request
 * would open its own sockets). One cached token is shared by every pooled connection.
 */
export function oauth2Provisioner(auth: OAuth2Auth, ctx: ConnectorContext, timeoutMs: number): ProvisionCallback {
  let cached: { token: string; expires: number } | undefined;
  const secrets = [auth.clientSecret, auth.refreshToken];

  async function fetchToken(): Promise<{ token: string; expires: number }> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
      refresh_token: auth.refreshToken,
    });
    let res: Response;
    let text: string;
    try {
      res = await ctx.fetch(auth.accessUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      // The destination policy's refusal (a blocked address) passes through as it is.
      const policy = findConnectorError(err);
      if (policy) throw policy;
      const name = (err as { name?: unknown } | null)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ConnectorError('connector.timeout', 'The OAuth2 token endpoint did not answer in time.', { cause: err });
      }
      throw new ConnectorError('connector.unavailable', 'The OAuth2 token endpoint could not be reached.', { cause: err });
    }
    const parsed = safeJson(text) as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (!res.ok || typeof parsed?.access_token !== 'string') {
      const details = { providerStatus: res.status, providerMessage: scrubSecrets(text.slice(0, 300), secrets) };
      if (res.status === 429) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
        throw new ConnectorError('connector.rate_limited', 'The OAuth2 token endpoint is rate limiting this client.', {
          details: { ...details, ...(retryAfter === undefined ? {} : { retryAfter }) },
        });
      }
      const code = res.status >= 500 ? 'connector.unavailable' : 'connector.auth_failed';
      throw new ConnectorError(code, `The OAuth2 token endpoint refused the refresh token (HTTP ${res.status}).`, { details });
    }
    const lifetime = typeof parsed.expires_in === 'number' ? parsed.expires_in : 3600;
    // Renew a minute early so a token does not expire between EHLO and AUTH.
    return { token: parsed.access_token, expires: Date.now() + Math.max(0, lifetime - 60) * 1000 };
  }

  return (_user, renew, cb) => {
    if (!renew && cached && cached.expires > Date.now()) return cb(null, cached.token, cached.expires);
    fetchToken().then(
      (t) => {
        cached = t;
        cb(null, t.token, t.expires);
      },
      // nodemailer overwrites `code` on the error it is given, so the ConnectorError
      // travels as the cause and mapSmtpError finds it there.
      (err: unknown) => cb(new Error('OAuth2 token request failed', { cause: err }), '', 0),
    );
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
