/**
 * A local stand-in for Postmark's Email API (`/email`, `/email/withTemplate`): checks the
 * server token, sender signatures, message streams, templates, recipient syntax and the
 * inactive (suppressed) list, and answers `{To, SubmittedAt, MessageID, ErrorCode, Message}`.
 */
import { randomUUID } from 'node:crypto';
import { isEmailAddress, startHttpPeer, type PeerReply } from '../../connectors/_provider/http-peer.test-helpers.js';

export interface PostmarkReceived {
  to: string;
  subject: string;
  from: string;
  replyTo?: string;
  htmlBody?: string;
  textBody?: string;
  messageStream: string;
  tag?: string;
  templateAlias?: string;
  templateModel?: Record<string, unknown>;
  headers?: Array<{ Name: string; Value: string }>;
  messageId: string;
}

export interface PostmarkPeerOptions {
  serverToken?: string;
  /** Confirmed sender signatures: addresses, or `@domain` for a whole domain. Default: any. */
  senderSignatures?: string[];
  /** Recipients marked inactive (hard bounce, complaint, suppression). */
  inactiveRecipients?: string[];
  templateAliases?: string[];
  messageStreams?: string[];
}

const err = (status: number, ErrorCode: number, Message: string): PeerReply => ({
  status,
  body: { ErrorCode, Message },
});
const addressOf = (v: string) => /<([^>]*)>\s*$/.exec(v)?.[1] ?? v.trim();

export async function startPostmarkPeer(options: PostmarkPeerOptions = {}) {
  const serverToken = options.serverToken ?? 'pm-token-peer-0123456789';
  const streams = options.messageStreams ?? ['outbound'];
  const received: PostmarkReceived[] = [];
  const state = { rateLimited: false, outage: false, hang: false };
  const http = await startHttpPeer(
    (req) => {
      const withTemplate = req.path === '/email/withTemplate';
      if (req.method !== 'POST' || (req.path !== '/email' && !withTemplate)) return { status: 404, body: '' };
      const token = req.headers['x-postmark-server-token'];
      if (!token)
        return err(
          401,
          10,
          'No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.',
        );
      if (token !== serverToken)
        return err(
          401,
          10,
          'The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.',
        );
      if (state.rateLimited) return err(429, 429, 'Rate limit exceeded.');
      if (state.outage) return err(500, 0, 'Internal Server Error');
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return err(415, 0, 'Unsupported Media Type');
      let b: Record<string, any>;
      try {
        b = JSON.parse(req.body.toString('utf8')) as Record<string, any>;
      } catch {
        return err(422, 402, 'Received invalid JSON input.');
      }
      const from = typeof b.From === 'string' ? addressOf(b.From) : '';
      if (!isEmailAddress(from)) return err(422, 300, `Error parsing 'From': Illegal email address '${from}'.`);
      const sigs = options.senderSignatures;
      if (sigs && !sigs.includes(from) && !sigs.includes(`@${from.split('@')[1]}`)) {
        return err(
          422,
          400,
          `The 'From' address you supplied (${from}) is not a Sender Signature on your account. Please add and confirm this address in order to be able to use it in the 'From' field of your messages.`,
        );
      }
      const to = typeof b.To === 'string' ? b.To : '';
      for (const a of to.split(',')) {
        if (!isEmailAddress(addressOf(a)))
          return err(
            422,
            300,
            `Error parsing 'To': Illegal email address '${addressOf(a)}'. It must contain the '@' symbol.`,
          );
      }
      const stream = b.MessageStream ?? 'outbound';
      if (!streams.includes(stream)) return err(422, 1235, "The message stream for the provided 'ID' was not found.");
      if (withTemplate) {
        if (!(options.templateAliases ?? []).includes(b.TemplateAlias))
          return err(422, 1101, "The 'TemplateAlias' associated with this request is not valid or was not found.");
      } else if (!b.HtmlBody && !b.TextBody) return err(422, 300, 'Provide either email TextBody or HtmlBody or both.');
      const inactive = to
        .split(',')
        .map(addressOf)
        .filter((a: string) => options.inactiveRecipients?.includes(a));
      if (inactive.length > 0) {
        return err(
          422,
          406,
          `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${inactive.join(', ')}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.`,
        );
      }
      const messageId = randomUUID();
      received.push({
        to,
        subject: b.Subject ?? '',
        from: b.From,
        messageStream: stream,
        messageId,
        ...(b.ReplyTo ? { replyTo: b.ReplyTo } : {}),
        ...(b.HtmlBody ? { htmlBody: b.HtmlBody } : {}),
        ...(b.TextBody ? { textBody: b.TextBody } : {}),
        ...(b.Tag ? { tag: b.Tag } : {}),
        ...(withTemplate ? { templateAlias: b.TemplateAlias, templateModel: b.TemplateModel } : {}),
        ...(b.Headers ? { headers: b.Headers } : {}),
      });
      return {
        status: 200,
        body: { To: to, SubmittedAt: new Date().toISOString(), MessageID: messageId, ErrorCode: 0, Message: 'OK' },
      };
    },
    { hang: () => state.hang },
  );
  return Object.assign(state, {
    url: http.url,
    nextRequest: http.nextRequest,
    serverToken,
    received,
    close: http.close,
  });
}
