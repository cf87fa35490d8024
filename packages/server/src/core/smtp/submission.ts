import PostalMime, { addressParser, type Email, type Header, type HeaderLine } from 'postal-mime';
import type { EmailAttachment } from '@postern/connector-kit';
import { AppError } from '../errors.js';
import { normalizeEmail } from '../email-address.js';
import { htmlToText } from '../templates/renderer.js';
import type { RateLimits, Bucket } from '../codes/ports.js';
import type { OutboxRow } from '../ports.js';
import type { LiveConnector } from '../connectors/service.js';
import type { Outbox, Pending } from '../delivery/outbox.js';
import type { SubmittedContent } from '../delivery/sender.js';
import type { SmtpCredentials } from './credentials.js';
import type { SmtpCredentialRecord } from './ports.js';

/** An SMTP answer that refuses a command: the listener replies with it as it is. */
export interface SmtpRefusal {
  /** 4xx (try again later) or 5xx (do not). */
  code: number;
  message: string;
}

export type SmtpAuthResult = { ok: true; credential: SmtpCredentialRecord } | { ok: false; refusal: SmtpRefusal };

export interface SubmissionDeps {
  credentials: SmtpCredentials;
  limits: RateLimits;
  suppressions: { find(tenantId: string, email: string): Promise<{ reason: string } | undefined> };
  connectors: { getLive(tenantId: string): Promise<LiveConnector | undefined> };
  outbox: Outbox;
  /** Writes the rows of one message in one transaction (all of its recipients, or none). */
  insertRows(rows: OutboxRow[]): Promise<void>;
  /** Whether the built-in service relays (then it cannot carry submitted mail: the relay's reputation is the operator's). */
  builtinRelays: boolean;
}

/** SPEC §18: more than this many failed AUTHs from one address locks it out for a while. */
export const AUTH_FAILURES = 5;
export const AUTH_LOCKOUT_SECONDS = 900;
/** SPEC §18: a message over this many bytes is refused with 552. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Headers that the connector writes itself (or that must not be forwarded): not copied from a submitted message. */
const STRUCTURAL = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-id',
  'content-language',
  'reply-to',
  'sender',
  'return-path',
  'received',
  'dkim-signature',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
  'authentication-results',
  'x-mailer',
  'delivered-to',
]);

const authBucket = (ip: string): Bucket => ({
  name: 'smtp-auth',
  key: ip,
  points: AUTH_FAILURES,
  durationSeconds: AUTH_LOCKOUT_SECONDS,
});
const recipientBucket = (c: SmtpCredentialRecord): Bucket => ({
  name: 'smtp-recipient-hour',
  key: c.id,
  points: c.maxRecipientsPerHour,
  durationSeconds: 3600,
});

const refuse = (code: number, message: string): SmtpRefusal => ({ code, message });

function domainOf(address: string): string {
  return (address.split('@').pop() ?? '').toLowerCase().replace(/\.$/, '');
}

/**
 * SMTP submission (SPEC §18), without the protocol: who may log in, which senders and
 * recipients a credential may use, and the hand-over of a message to the outbox. Each
 * check answers with an SMTP refusal value (or null); the listener (smtp/) speaks SMTP.
 */
export class SmtpSubmission {
  constructor(private readonly d: SubmissionDeps) {}

  /** AUTH PLAIN/LOGIN. Five failures from one address lock it out (454) for 15 minutes. */
  async authenticate(username: string, password: string, ip: string): Promise<SmtpAuthResult> {
    const bucket = authBucket(ip);
    const locked = await this.d.limits.peek(bucket);
    if (!locked.allowed) {
      return {
        ok: false,
        refusal: refuse(
          454,
          `4.7.0 Too many failed logins from this address; try again in ${locked.retryAfter} seconds`,
        ),
      };
    }
    const credential = await this.d.credentials.check(username, password);
    if (!credential) {
      await this.d.limits.hit(bucket);
      return { ok: false, refusal: refuse(535, '5.7.8 The user name or password is wrong') };
    }
    return { ok: true, credential };
  }

  /** MAIL FROM: the credential must still exist, its tenant must have a connector that may carry relayed mail, and the domain must be allowed. */
  async checkSender(credential: SmtpCredentialRecord, address: string): Promise<SmtpRefusal | null> {
    const current = await this.d.credentials.current(credential.id);
    if (!current) return refuse(535, '5.7.8 This SMTP credential was deleted');
    const live = await this.d.connectors.getLive(credential.tenantId);
    if (!live)
      return refuse(451, '4.3.0 This tenant has no email connector yet; set one up in the console under Connectors');
    if (live.factory.id === 'builtin' && this.d.builtinRelays) {
      return refuse(
        550,
        "5.7.1 The built-in email service does not relay submitted mail; set up the tenant's own email connector",
      );
    }
    if (!address || !current.allowedFromDomains.includes(domainOf(address))) {
      return refuse(
        550,
        `5.7.1 The sender ${address ? `domain ${domainOf(address)}` : '<>'} is not allowed for this credential; add it to its allowed From domains`,
      );
    }
    return null;
  }

  /** RCPT TO: a valid address, not suppressed, within the credential's hourly recipient cap. */
  async checkRecipient(credential: SmtpCredentialRecord, address: string): Promise<SmtpRefusal | null> {
    let to: string;
    try {
      to = normalizeEmail(address, 'recipient').address;
    } catch (err) {
      if (err instanceof AppError) return refuse(553, '5.1.3 The recipient address is not valid');
      throw err;
    }
    const suppressed = await this.d.suppressions.find(credential.tenantId, to);
    if (suppressed)
      return refuse(
        550,
        `5.1.1 The recipient is on the suppression list (${suppressed.reason.replace('_', ' ')}); remove it there to send to it again`,
      );
    const cap = await this.d.limits.hit(recipientBucket(credential));
    if (!cap.allowed)
      return refuse(
        451,
        `4.7.1 This credential reached its limit of ${credential.maxRecipientsPerHour} recipients an hour; try again in ${cap.retryAfter} seconds`,
      );
    return null;
  }

  /**
   * DATA: parses the message, checks its `From:` and attachments, and writes one outbox row
   * per envelope recipient in one transaction. Only then (the listener answers 250) does
   * delivery start; a crash after this point leaves rows that any instance delivers.
   */
  async submit(
    credential: SmtpCredentialRecord,
    envelope: { from: string; to: string[] },
    raw: Buffer,
  ): Promise<SmtpRefusal | { ok: true; messageIds: string[] }> {
    let mail: Email;
    try {
      // postal-mime parses a buffer in one pass (about a third of mailparser's CPU and far
      // fewer event-loop turns); attachments come out base64, as the connectors take them.
      mail = await PostalMime.parse(raw, { attachmentEncoding: 'base64' });
    } catch {
      return refuse(554, '5.6.0 The message cannot be parsed');
    }
    const fromList = mailboxes(mail.headers, 'from');
    if (fromList.length === 0) return refuse(550, '5.7.1 The message has no From: header');
    for (const f of fromList) {
      if (!credential.allowedFromDomains.includes(domainOf(f.address))) {
        return refuse(
          550,
          `5.7.1 The From: domain ${domainOf(f.address) || '(none)'} is not allowed for this credential`,
        );
      }
    }
    const attachments: EmailAttachment[] = mail.attachments.map((a) => {
      const contentId = a.contentId?.trim().replace(/^<|>$/g, '');
      return {
        contentType: a.mimeType,
        content: typeof a.content === 'string' ? a.content : Buffer.from(a.content as ArrayBuffer).toString('base64'),
        ...(a.filename ? { filename: a.filename } : {}),
        ...(contentId ? { contentId } : {}),
        disposition: a.disposition === 'inline' ? 'inline' : 'attachment',
      };
    });
    if (attachments.length > 0) {
      // MAIL FROM checked that the tenant has a connector; whether it carries attachments is asked only when there are some.
      const live = await this.d.connectors.getLive(credential.tenantId);
      if (!live) return refuse(451, '4.3.0 This tenant has no email connector yet');
      if (!live.factory.capabilities.attachments) {
        return refuse(
          554,
          `5.6.1 The tenant's email connector (${live.factory.name}) cannot carry attachments; send the message without them`,
        );
      }
    }
    const first = fromList[0]!;
    const replyTo = mailboxes(mail.headers, 'reply-to')[0]?.address;
    const html = mail.html ?? '';
    const content: SubmittedContent = {
      from: { email: first.address, ...(first.name ? { name: first.name } : {}) },
      ...(replyTo ? { replyTo } : {}),
      subject: mail.subject ?? '',
      html,
      // A message with only an HTML part gets a plain-text one derived from it, as the templates do.
      text: mail.text ?? (html ? htmlToText(html) : ''),
      headers: keptHeaders(mail.headerLines),
      attachments,
    };
    const pending: Pending[] = envelope.to.map((to) =>
      this.d.outbox.prepare({
        request: { tenantId: credential.tenantId, to, templateType: 'Generic', variables: {}, content, source: 'smtp' },
        source: 'smtp',
        notAfter: this.d.outbox.codelessNotAfter(),
      }),
    );
    await this.d.insertRows(pending.map((p) => p.row));
    for (const p of pending) this.d.outbox.dispatch(p);
    return { ok: true, messageIds: pending.map((p) => p.row.id) };
  }
}

/** Every mailbox of the message's `key` headers (groups flattened), with an address. */
function mailboxes(headers: Header[], key: string): Array<{ address: string; name: string }> {
  const out: Array<{ address: string; name: string }> = [];
  for (const h of headers) {
    if (h.key !== key) continue;
    for (const m of addressParser(h.value, { flatten: true }))
      if (m.address) out.push({ address: m.address, name: m.name });
  }
  return out;
}

/** The submitted message's own headers (X-…, List-…, Auto-Submitted, …), unfolded, without the structural ones. */
function keptHeaders(lines: HeaderLine[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, line } of lines) {
    if (STRUCTURAL.has(key) || key.startsWith('content-')) continue;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line
      .slice(i + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    if (!/^[!-9;-~]+$/.test(name) || /[\r\n]/.test(value) || name in out) continue;
    out[name] = value;
  }
  return out;
}
