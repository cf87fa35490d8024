import { verify, X509Certificate } from 'node:crypto';
import {
  EventRejection,
  isoTime,
  isRecord,
  parseJsonBody,
  str,
  type ParsedProviderEvents,
  type ProviderEvent,
  type ProviderEventContext,
  type ProviderEventRequest,
} from '@postern/connector-kit';
import type { SesConfig } from './schema.js';

const SNS_HOST = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;
const TYPES = new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);
const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
const MAX_CERT_BYTES = 16 * 1024;

/** Signing certificates by URL; SNS rotates them rarely, so an hour is plenty. */
const certs = new Map<string, { at: number; cert: Promise<X509Certificate> }>();

/** An https URL on an SNS host (`sns.<region>.amazonaws.com`) or one listed in POSTERN_SNS_CERT_HOSTS. */
export function trustedSnsUrl(value: string | undefined, extraHosts: readonly string[], pem: boolean): URL | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return undefined;
  if (pem && !url.pathname.endsWith('.pem')) return undefined;
  const host = url.hostname.toLowerCase();
  return SNS_HOST.test(host) ||
    extraHosts.some((h) => h.toLowerCase() === host || h.toLowerCase() === url.host.toLowerCase())
    ? url
    : undefined;
}

async function loadCertificate(url: URL, ctx: ProviderEventContext): Promise<X509Certificate> {
  const key = url.href;
  const hit = certs.get(key);
  if (hit && ctx.now.getTime() - hit.at < 3600_000) return hit.cert;
  const cert = (async () => {
    const res = await ctx.fetch(url, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    if (res.status !== 200 || text.length > MAX_CERT_BYTES) throw new Error(`HTTP ${res.status}`);
    return new X509Certificate(text);
  })();
  if (certs.size > 100) certs.clear();
  certs.set(key, { at: ctx.now.getTime(), cert });
  cert.catch(() => certs.delete(key));
  return cert;
}

/** The SNS string to sign: `Key\nvalue\n` for each present key, in the fixed order. */
export function snsStringToSign(m: Record<string, unknown>): string {
  const keys = m.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  return keys
    .filter((k) => typeof m[k] === 'string')
    .map((k) => `${k}\n${m[k] as string}\n`)
    .join('');
}

/**
 * Amazon SES notifications through an SNS HTTPS subscription. The envelope is verified
 * against the certificate at SigningCertURL (v1 SHA1withRSA, v2 SHA256withRSA), from an SNS
 * host only, and from a topic the connector lists; a SubscriptionConfirmation is confirmed
 * by fetching its SubscribeURL once the request is accepted.
 */
export async function parseSesEvents(
  req: ProviderEventRequest,
  config: SesConfig,
  ctx: ProviderEventContext,
): Promise<ParsedProviderEvents> {
  const m = parseJsonBody(req.rawBody);
  if (
    !isRecord(m) ||
    !TYPES.has(String(m.Type)) ||
    !str(m.MessageId) ||
    !str(m.TopicArn) ||
    typeof m.Message !== 'string'
  ) {
    throw new EventRejection('malformed', 'The body is not an SNS message (Type, MessageId, TopicArn, Message).', [
      { path: 'body', message: 'not an SNS envelope' },
    ]);
  }
  const topics = config.snsTopicArns ?? [];
  if (topics.length === 0)
    throw new EventRejection(
      'not_configured',
      'List the SNS topic in snsTopicArns on the Amazon SES connector before subscribing it.',
    );
  if (!topics.includes(m.TopicArn as string))
    throw new EventRejection(
      'untrusted_topic',
      'The message comes from an SNS topic this connector does not list in snsTopicArns.',
    );
  const version = m.SignatureVersion;
  const signature = str(m.Signature);
  if ((version !== '1' && version !== '2') || !signature)
    throw new EventRejection(
      'missing_signature',
      'The SNS message is not signed (SignatureVersion 1 or 2 and Signature).',
    );
  const certUrl = trustedSnsUrl(str(m.SigningCertURL), ctx.snsCertHosts, true);
  if (!certUrl)
    throw new EventRejection(
      'untrusted_certificate',
      'SigningCertURL must be an https .pem URL on sns.<region>.amazonaws.com or a host in POSTERN_SNS_CERT_HOSTS.',
    );
  let cert: X509Certificate;
  try {
    cert = await loadCertificate(certUrl, ctx);
  } catch {
    throw new EventRejection('untrusted_certificate', 'The signing certificate could not be fetched or read.');
  }
  const now = ctx.now.getTime();
  if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now)
    throw new EventRejection('untrusted_certificate', 'The signing certificate is not valid now.');
  const ok = verify(
    version === '1' ? 'RSA-SHA1' : 'RSA-SHA256',
    Buffer.from(snsStringToSign(m), 'utf8'),
    cert.publicKey,
    Buffer.from(signature, 'base64'),
  );
  if (!ok) throw new EventRejection('invalid_signature', 'The SNS signature does not match the signing certificate.');
  const replayKey = m.MessageId as string;

  if (m.Type === 'SubscriptionConfirmation') {
    const subscribe = trustedSnsUrl(str(m.SubscribeURL), ctx.snsCertHosts, false);
    if (!subscribe)
      throw new EventRejection('untrusted_certificate', 'SubscribeURL must be an https URL on an SNS host.');
    return {
      events: [],
      replayKey,
      async acknowledge() {
        const res = await ctx.fetch(subscribe, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status !== 200) throw new Error(`SNS answered HTTP ${res.status} to the subscription confirmation`);
      },
    };
  }
  if (m.Type === 'UnsubscribeConfirmation') return { events: [], replayKey };
  let payload: unknown;
  try {
    payload = JSON.parse(m.Message as string);
  } catch {
    // A signed message from a trusted topic that is not an SES notification: nothing to do.
    return { events: [], replayKey };
  }
  return { events: isRecord(payload) ? sesEvents(payload, replayKey, ctx.now) : [], replayKey };
}

/** SES notifications (`notificationType`) and event publishing (`eventType`) alike. */
function sesEvents(p: Record<string, unknown>, snsId: string, now: Date): ProviderEvent[] {
  const kind = str(p.notificationType) ?? str(p.eventType);
  const mail = isRecord(p.mail) ? p.mail : undefined;
  const messageId = str(mail?.messageId);
  if (!kind || !messageId) return [];
  const out: ProviderEvent[] = [];
  const add = (e: Omit<ProviderEvent, 'providerMessageId' | 'eventId'>) =>
    out.push({ ...e, providerMessageId: messageId, eventId: `${snsId}:${e.recipient}` });
  const list = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.filter(isRecord) : []);
  switch (kind) {
    case 'Bounce': {
      const b = isRecord(p.bounce) ? p.bounce : {};
      // Transient and Undetermined bounces say nothing final about the address.
      const bounceType = b.bounceType === 'Permanent' ? 'hard' : 'soft';
      for (const r of list(b.bouncedRecipients)) {
        const recipient = str(r.emailAddress);
        const detail = str(r.diagnosticCode) ?? [str(b.bounceType), str(b.bounceSubType)].filter(Boolean).join('/');
        if (recipient)
          add({
            type: 'bounced',
            bounceType,
            recipient,
            at: isoTime(b.timestamp, now),
            ...(detail ? { detail: detail.slice(0, 500) } : {}),
          });
      }
      break;
    }
    case 'Complaint': {
      const c = isRecord(p.complaint) ? p.complaint : {};
      if (c.complaintFeedbackType === 'not-spam') break;
      for (const r of list(c.complainedRecipients)) {
        const recipient = str(r.emailAddress);
        const detail = str(c.complaintFeedbackType);
        if (recipient)
          add({ type: 'complained', recipient, at: isoTime(c.timestamp, now), ...(detail ? { detail } : {}) });
      }
      break;
    }
    case 'Delivery': {
      const d = isRecord(p.delivery) ? p.delivery : {};
      for (const r of Array.isArray(d.recipients) ? d.recipients : []) {
        const detail = str(d.smtpResponse);
        if (typeof r === 'string' && r)
          add({
            type: 'delivered',
            recipient: r,
            at: isoTime(d.timestamp, now),
            ...(detail ? { detail: detail.slice(0, 500) } : {}),
          });
      }
      break;
    }
    case 'DeliveryDelay': {
      const d = isRecord(p.deliveryDelay) ? p.deliveryDelay : {};
      for (const r of list(d.delayedRecipients)) {
        const recipient = str(r.emailAddress);
        const detail = str(r.diagnosticCode) ?? str(d.delayType);
        if (recipient)
          add({
            type: 'delayed',
            recipient,
            at: isoTime(d.timestamp, now),
            ...(detail ? { detail: detail.slice(0, 500) } : {}),
          });
      }
      break;
    }
  }
  return out;
}
