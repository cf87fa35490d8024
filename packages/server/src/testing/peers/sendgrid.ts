/**
 * A local stand-in for SendGrid's v3 Mail Send API: checks the bearer key, the body's
 * shape and addresses, verified senders and templates, and answers as SendGrid does
 * (202 with X-Message-Id, or `{errors:[{message, field, help}]}`).
 */
import { randomUUID } from 'node:crypto';
import { isEmailAddress, startHttpPeer, type PeerReply } from '../../connectors/_provider/http-peer.test-helpers.js';

export interface SendgridReceived {
  to: string;
  subject: string;
  from: { email: string; name?: string };
  replyTo?: string;
  text?: string;
  html?: string;
  templateId?: string;
  templateData?: Record<string, unknown>;
  headers?: Record<string, string>;
  authorization: string;
  messageId: string;
}

export interface SendgridPeerOptions {
  apiKey?: string;
  /** Sender identities; when set, other From addresses get 403. */
  verifiedSenders?: string[];
  /** Dynamic template ids that exist. */
  templates?: string[];
  /** Bodies over this many bytes get 413 (SendGrid: 30 MB). */
  maxBytes?: number;
}

const fail = (status: number, message: string, field: string | null = null, help: string | null = null): PeerReply => ({
  status,
  body: { errors: [{ message, field, help }] },
});

export async function startSendgridPeer(options: SendgridPeerOptions = {}) {
  const apiKey = options.apiKey ?? 'SG.test-key.peer';
  const received: SendgridReceived[] = [];
  const state = {
    /** Answer 429 with X-RateLimit-* headers. */
    rateLimited: false,
    /** Answer 500 as during an outage. */
    outage: false,
    /** Read requests but never answer them. */
    hang: false,
  };
  const http = await startHttpPeer(
    (req) => {
      if (req.method !== 'POST' || req.path !== '/v3/mail/send')
        return { status: 404, body: { errors: [{ message: 'Not found', field: null, help: null }] } };
      if (req.headers.authorization !== `Bearer ${apiKey}`)
        return fail(401, 'The provided authorization grant is invalid, expired, or revoked');
      if (state.rateLimited) {
        return {
          ...fail(429, 'Too many requests'),
          headers: {
            'x-ratelimit-limit': '600',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 2),
          },
        };
      }
      if (state.outage) return fail(500, 'Internal server error');
      if (req.body.length > (options.maxBytes ?? 30 * 1024 * 1024))
        return fail(413, 'The JSON payload you have included in your request is too large.');
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return fail(400, 'Content-Type should be application/json.');
      let body: Record<string, any>;
      try {
        body = JSON.parse(req.body.toString('utf8')) as Record<string, any>;
      } catch {
        return fail(
          400,
          'Bad Request',
          null,
          'https://sendgrid.com/docs/for-developers/sending-email/mail-send-errors/',
        );
      }
      const p = body.personalizations;
      if (!Array.isArray(p) || p.length === 0)
        return fail(
          400,
          'The personalizations field is required and must have at least one personalization.',
          'personalizations',
        );
      const to: string[] = [];
      for (const [i, pers] of p.entries()) {
        const list = (pers as { to?: unknown }).to;
        if (!Array.isArray(list) || list.length === 0)
          return fail(
            400,
            'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
            `personalizations.${i}.to`,
          );
        for (const [j, r] of list.entries()) {
          const email = (r as { email?: unknown }).email;
          if (!isEmailAddress(email))
            return fail(400, 'Does not contain a valid address.', `personalizations.${i}.to.${j}.email`);
          to.push(email);
        }
      }
      if (!isEmailAddress(body.from?.email))
        return fail(
          400,
          'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.',
          'from.email',
        );
      if (options.verifiedSenders && !options.verifiedSenders.includes(body.from.email)) {
        return fail(
          403,
          'The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.',
        );
      }
      if (body.reply_to !== undefined && !isEmailAddress(body.reply_to?.email))
        return fail(400, 'Does not contain a valid address.', 'reply_to.email');
      const templateId = typeof body.template_id === 'string' ? body.template_id : undefined;
      let text: string | undefined;
      let html: string | undefined;
      if (templateId) {
        if (!(options.templates ?? []).includes(templateId))
          return fail(400, 'The template_id must be a valid GUID, you provided ' + templateId + '.', 'template_id');
      } else {
        if (typeof body.subject !== 'string' || !body.subject)
          return fail(
            400,
            'The subject is required. You can get around this requirement if you use a template with a subject defined.',
            'subject',
          );
        const content = body.content;
        if (!Array.isArray(content) || content.length === 0)
          return fail(400, 'Unless a valid template_id is provided, the content parameter is required.', 'content');
        for (const [i, c] of content.entries()) {
          if (typeof c?.value !== 'string' || c.value.length === 0)
            return fail(
              400,
              'The content value must be a string at least one character in length.',
              `content.${i}.value`,
            );
          if (c.type === 'text/plain') {
            if (i !== 0)
              return fail(
                400,
                'If present, text/plain must be first, followed by text/html, followed by any other content.',
                `content.${i}.type`,
              );
            text = c.value;
          } else if (c.type === 'text/html') html = c.value;
        }
      }
      const messageId = randomUUID().replace(/-/g, '').slice(0, 22);
      received.push({
        to: to.join(', '),
        subject: typeof body.subject === 'string' ? body.subject : '',
        from: body.from,
        ...(body.reply_to ? { replyTo: body.reply_to.email } : {}),
        ...(text === undefined ? {} : { text }),
        ...(html === undefined ? {} : { html }),
        ...(templateId ? { templateId, templateData: p[0]?.dynamic_template_data } : {}),
        ...(body.headers ? { headers: body.headers } : {}),
        authorization: String(req.headers.authorization),
        messageId,
      });
      return { status: 202, headers: { 'x-message-id': messageId } };
    },
    { hang: () => state.hang },
  );
  return Object.assign(state, { url: http.url, nextRequest: http.nextRequest, apiKey, received, close: http.close });
}
