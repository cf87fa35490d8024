/**
 * Delivery events from a provider's own webhooks (SPEC §16). A connector factory may
 * export `parseEvents`: it checks the provider's authentication on the raw request and
 * turns the body into normalised events. The core does the rest: replay refusal, matching
 * to the email log, the suppression list.
 */

/** What the provider sent, as received: raw body bytes and lower-cased headers. */
export interface ProviderEventRequest {
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

export type ProviderEventType = 'delivered' | 'delayed' | 'bounced' | 'complained';

export interface ProviderEvent {
  type: ProviderEventType;
  /** For `bounced`: a hard bounce suppresses the address, a soft one does not. */
  bounceType?: 'hard' | 'soft';
  /** The id the provider gave the message when it was sent (angle brackets are ignored). */
  providerMessageId: string;
  recipient: string;
  /** ISO 8601. */
  at: string;
  /** A short reason or provider response (no secrets). */
  detail?: string;
  /** The provider's id of this event, so a retried delivery records it once. */
  eventId?: string;
}

export interface ParsedProviderEvents {
  events: ProviderEvent[];
  /**
   * A value that is unique per delivery and must never be accepted twice (an SNS
   * MessageId, a Mailgun token, a webhook id). The core refuses a second request with it.
   */
  replayKey?: string;
  /** Runs once the request is accepted (the SNS subscription confirmation). */
  acknowledge?(): Promise<void>;
}

export interface ProviderEventContext {
  /** Current time; signed timestamps older than 5 minutes are refused. */
  now: Date;
  /** A fetch that obeys the outbound destination policy (SPEC §3.5). */
  fetch: typeof fetch;
  /** Extra hosts trusted for SNS signing certificates (POSTERN_SNS_CERT_HOSTS). */
  snsCertHosts: readonly string[];
  /** Checks Postern-generated basic-auth credentials (Postmark). */
  checkBasicAuth?(username: string, password: string): Promise<boolean>;
}

export type EventRejectionReason =
  | 'missing_signature'
  | 'invalid_signature'
  | 'stale'
  | 'untrusted_certificate'
  | 'untrusted_topic'
  | 'not_configured'
  | 'malformed';

/** A request that fails the provider's authentication, or cannot be read. */
export class EventRejection extends Error {
  constructor(
    readonly reason: EventRejectionReason,
    message: string,
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'EventRejection';
  }
}

export function isEventRejection(err: unknown): err is EventRejection {
  return err instanceof Error && err.name === 'EventRejection' && typeof (err as EventRejection).reason === 'string';
}

/** Signed timestamps older (or further in the future) than this are refused. */
export const EVENT_TOLERANCE_SECONDS = 5 * 60;

/** Refuses a unix-seconds timestamp outside the tolerance. */
export function assertFreshTimestamp(value: string | undefined, now: Date, what = 'timestamp'): number {
  if (!value || !/^\d{1,12}$/.test(value))
    throw new EventRejection('missing_signature', `The ${what} is missing or not unix seconds.`);
  const ts = Number(value);
  if (Math.abs(now.getTime() / 1000 - ts) > EVENT_TOLERANCE_SECONDS)
    throw new EventRejection('stale', `The ${what} is more than 5 minutes away from now; the request may be a replay.`);
  return ts;
}

/** JSON of the raw body, or a `malformed` rejection. */
export function parseJsonBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new EventRejection('malformed', 'The body is not valid JSON.', [{ path: 'body', message: 'malformed JSON' }]);
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** An ISO timestamp from ISO text, unix seconds (number or string), or now. */
export function isoTime(v: unknown, now: Date): string {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 1e11) return new Date(v * 1000).toISOString();
  if (typeof v === 'string') {
    if (/^\d{1,11}(\.\d+)?$/.test(v)) return new Date(Number(v) * 1000).toISOString();
    const t = Date.parse(v);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  return now.toISOString();
}
