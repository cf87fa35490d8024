/**
 * The connector error catalogue: every way a send can fail, with the HTTP status the
 * admin API answers and whether the delivery pipeline may retry it (SPEC §3.1, §3.5).
 */
export const CONNECTOR_ERRORS = {
  'connector.bad_config': { status: 400, retryable: false, message: 'The connector configuration is invalid.' },
  'connector.auth_failed': { status: 502, retryable: false, message: 'The provider rejected the credentials.' },
  'connector.rejected_recipient': { status: 422, retryable: false, message: 'The provider rejected the recipient.' },
  'connector.rate_limited': { status: 429, retryable: true, message: 'The provider is rate limiting this account.' },
  'connector.unavailable': { status: 502, retryable: true, message: 'The provider could not be reached.' },
  'connector.timeout': { status: 504, retryable: true, message: 'The provider did not answer in time.' },
  'connector.destination_blocked': {
    status: 422,
    retryable: false,
    message: 'The destination address is not allowed for outbound connections.',
  },
  'connector.template_not_found': { status: 422, retryable: false, message: 'The provider template was not found.' },
  'connector.delivery_failed': { status: 502, retryable: false, message: 'The provider did not accept the message.' },
  'connector.circuit_open': {
    status: 503,
    retryable: false,
    message: 'The connector failed repeatedly and is paused for a moment; try again shortly.',
  },
} as const satisfies Record<string, { status: number; retryable: boolean; message: string }>;

export type ConnectorErrorCode = keyof typeof CONNECTOR_ERRORS;

export interface ConnectorErrorDetails {
  /** The provider's own words, with secrets removed. */
  providerMessage?: string;
  /** Seconds to wait, for `connector.rate_limited`. */
  retryAfter?: number;
  /** HTTP status or SMTP reply code the provider answered with. */
  providerStatus?: number;
  /** Field paths, for `connector.bad_config`. */
  issues?: Array<{ path: string; message: string }>;
  [key: string]: unknown;
}

export interface ConnectorErrorOptions {
  details?: ConnectorErrorDetails;
  /** Overrides the catalogue's default, e.g. a 5xx `delivery_failed` that may be retried. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * A failed send. Keeps the provider's error as `cause` (never shown to API clients) and
 * says whether trying again could help.
 */
export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: ConnectorErrorDetails;

  constructor(code: ConnectorErrorCode, message?: string, options: ConnectorErrorOptions = {}) {
    super(message ?? CONNECTOR_ERRORS[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = code;
    this.status = CONNECTOR_ERRORS[code].status;
    this.retryable = options.retryable ?? CONNECTOR_ERRORS[code].retryable;
    this.details = options.details ?? {};
  }
}

export function isConnectorError(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError || (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ConnectorError' && typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code in CONNECTOR_ERRORS);
}

/**
 * The first ConnectorError in an error's cause chain, the error itself included (fetch wraps
 * socket errors in `TypeError: fetch failed`; SMTP and socket clients pass them on), when
 * given only one with that code.
 */
export function findConnectorError(err: unknown, code?: ConnectorErrorCode): ConnectorError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    if (isConnectorError(current) && (code === undefined || current.code === code)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Removes every given secret (and common credential shapes) from a provider message
 * before it is shown to anyone.
 */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined | null>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out
    .replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]')
    .slice(0, 2000);
}

/**
 * Maps an HTTP status from a provider's API onto a connector error code; connectors
 * refine this with what the provider's body says.
 */
export function codeForHttpStatus(status: number): ConnectorErrorCode {
  if (status === 401 || status === 403) return 'connector.auth_failed';
  if (status === 429) return 'connector.rate_limited';
  if (status === 408 || status === 504) return 'connector.timeout';
  if (status >= 500) return 'connector.unavailable';
  return 'connector.delivery_failed';
}

/** Parses a Retry-After header (seconds or HTTP date) into whole seconds. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
