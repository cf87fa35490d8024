/**
 * Shared plumbing for connectors that talk to a provider's HTTP API: one request helper
 * that turns transport failures into connector errors, and one constructor for errors
 * built from a provider's answer, so that every connector reports status, provider
 * message, Retry-After and cause the same way.
 */
import {
  ConnectorError,
  findConnectorError,
  parseRetryAfter,
  scrubSecrets,
  type ConnectorErrorCode,
  type ConnectorErrorDetails,
} from './errors.js';

/** A provider's answer, kept as the `cause` of a connector error. Its body is scrubbed. */
export class ProviderResponseError extends Error {
  readonly provider: string;
  readonly status: number;
  readonly body: string;

  constructor(provider: string, status: number, body: string) {
    super(`${provider} answered HTTP ${status}`);
    this.name = 'ProviderResponseError';
    this.provider = provider;
    this.status = status;
    this.body = body;
  }
}

export interface ProviderResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  signal: AbortSignal;
}

export interface HttpClient {
  /** Sends a request to `baseUrl + path`; resolves with any HTTP answer, rejects only with a ConnectorError. */
  request(path: string, init: RequestInit): Promise<ProviderResponse>;
}

export interface HttpClientOptions {
  /** Provider name used in messages, e.g. `SendGrid`. */
  provider: string;
  /** `ctx.fetch`: the only way out, so the destination policy holds. */
  fetch: typeof fetch;
  baseUrl: string;
  /** Sent with every request (credentials, Accept). */
  headers: Record<string, string>;
}

/** Joins a base URL and a path without doubling or losing the slash. */
export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Turns what `fetch` threw into a connector error: the destination policy's own error is
 * passed on, an aborted signal is a timeout, anything else means the provider could not be
 * reached (retryable).
 */
export function transportError(provider: string, err: unknown, signal: AbortSignal | undefined): ConnectorError {
  // fetch and socket clients wrap the policy's error (TypeError → socket error → ConnectorError).
  const passthrough = findConnectorError(err);
  if (passthrough) return passthrough;
  const cause = (err as { cause?: unknown } | null)?.cause;
  const name = (err as { name?: unknown } | null)?.name;
  if (signal?.aborted || name === 'AbortError' || name === 'TimeoutError') {
    return new ConnectorError('connector.timeout', `${provider} did not answer in time.`, { cause: err });
  }
  const code = (cause as { code?: unknown } | null)?.code ?? (err as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  return new ConnectorError('connector.unavailable', `Could not reach ${provider} (${reason}).`, {
    cause: err,
    details: { providerMessage: scrubSecrets(reason, []) },
  });
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const baseUrl = opts.baseUrl;
  const defaultHeaders = Object.freeze({ ...opts.headers });
  return {
    async request(path, init) {
      try {
        const res = await opts.fetch(joinUrl(baseUrl, path), {
          method: init.method ?? 'POST',
          headers: { ...defaultHeaders, ...init.headers },
          ...(init.body === undefined ? {} : { body: init.body }),
          signal: init.signal,
        });
        const text = await res.text();
        return { status: res.status, headers: res.headers, text, json: parseJson(text) };
      } catch (err) {
        throw transportError(opts.provider, err, init.signal);
      }
    },
  };
}

export interface FailureOptions {
  provider: string;
  code: ConnectorErrorCode;
  /** Our sentence for the admin; the provider's words go in `providerMessage`. */
  message: string;
  response: ProviderResponse;
  providerMessage?: string | undefined;
  /** Every secret of the config, removed from anything shown. */
  secrets: ReadonlyArray<string | undefined>;
  /** Seconds to wait, when the provider says so some other way than Retry-After. */
  retryAfter?: number | undefined;
  details?: ConnectorErrorDetails;
  /** Overrides the catalogue's answer (5xx answers are retryable by default). */
  retryable?: boolean;
}

/**
 * A connector error built from a provider's HTTP answer: status, scrubbed provider
 * message, Retry-After for 429, the answer as cause; 5xx answers stay retryable whatever
 * the code.
 */
export function providerFailure(o: FailureOptions): ConnectorError {
  const { response } = o;
  const details: ConnectorErrorDetails = { ...o.details, providerStatus: response.status };
  const providerMessage = o.providerMessage ?? (response.json === undefined ? response.text.trim() : undefined);
  if (providerMessage) details.providerMessage = scrubSecrets(providerMessage, o.secrets);
  if (o.code === 'connector.rate_limited') {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after')) ?? o.retryAfter;
    if (retryAfter !== undefined) details.retryAfter = retryAfter;
  }
  return new ConnectorError(o.code, o.message, {
    details,
    cause: new ProviderResponseError(o.provider, response.status, scrubSecrets(response.text, o.secrets)),
    ...(o.retryable !== undefined ? { retryable: o.retryable } : response.status >= 500 ? { retryable: true } : {}),
  });
}

/** Reads a string property of a parsed JSON body, if there is one. */
export function stringField(json: unknown, key: string): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const v = (json as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** Reads a numeric property of a parsed JSON body, if there is one. */
export function numberField(json: unknown, key: string): number | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const v = (json as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : undefined;
}
