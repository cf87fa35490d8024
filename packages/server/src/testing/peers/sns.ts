/**
 * A local stand-in for an Amazon SNS topic with an HTTPS subscription, as used for SES
 * notifications: it serves its signing certificate over HTTPS (at a SimpleNotificationService-….pem
 * path), signs every message as SNS does (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA,
 * over the `Key\nvalue\n` string of the documented keys), and records the subscription
 * confirmations it receives at its SubscribeURL.
 */
import { createPrivateKey, randomBytes, randomUUID, sign } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createTestCertificate } from '../tls.js';
import { postEvent } from './events-post.js';

export interface SnsPeerOptions {
  region?: string;
  accountId?: string;
  topicName?: string;
}

type Envelope = Record<string, string>;

const NOTIFICATION = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

export async function startSnsPeer(options: SnsPeerOptions = {}) {
  const region = options.region ?? 'us-east-1';
  const topicArn = `arn:aws:sns:${region}:${options.accountId ?? '123456789012'}:${options.topicName ?? 'ses-events'}`;
  // One certificate serves HTTPS on 127.0.0.1; a second one is the message signing certificate.
  const tls = await createTestCertificate();
  const signing = await createTestCertificate('sns.amazonaws.com');
  const signingKey = createPrivateKey(signing.key);
  const certPath = `/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
  const confirmations: Array<{ topicArn: string; token: string }> = [];
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://peer');
    if (req.method === 'GET' && url.pathname === certPath)
      return res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(signing.cert);
    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.get('Action') === 'ConfirmSubscription') {
      confirmations.push({
        topicArn: url.searchParams.get('TopicArn') ?? '',
        token: url.searchParams.get('Token') ?? '',
      });
      return res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>${topicArn}:${randomUUID()}</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
        );
    }
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signEnvelope = (m: Envelope, version: '1' | '2'): Envelope => {
    const keys = m.Type === 'Notification' ? NOTIFICATION : CONFIRMATION;
    const text = keys
      .filter((k) => m[k] !== undefined)
      .map((k) => `${k}\n${m[k]}\n`)
      .join('');
    const signature = sign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256', Buffer.from(text, 'utf8'), signingKey).toString(
      'base64',
    );
    return { ...m, SignatureVersion: version, Signature: signature };
  };

  return {
    topicArn,
    region,
    /** The HTTPS certificate of this peer, for Postern's outbound policy to trust. */
    ca: tls.cert,
    certUrl: `${base}${certPath}`,
    confirmations,
    /** A signed Notification carrying `message` (an SES notification object). */
    notification(
      message: unknown,
      o: { version?: '1' | '2'; subject?: string; certUrl?: string; topicArn?: string; messageId?: string } = {},
    ): Envelope {
      const m: Envelope = {
        Type: 'Notification',
        MessageId: o.messageId ?? randomUUID(),
        TopicArn: o.topicArn ?? topicArn,
        ...(o.subject ? { Subject: o.subject } : {}),
        Message: typeof message === 'string' ? message : JSON.stringify(message),
        Timestamp: new Date().toISOString(),
        SigningCertURL: o.certUrl ?? `${base}${certPath}`,
        UnsubscribeURL: `${base}/?Action=Unsubscribe&SubscriptionArn=${topicArn}:x`,
      };
      return signEnvelope(m, o.version ?? '1');
    },
    /** A signed SubscriptionConfirmation whose SubscribeURL points at this peer. */
    subscriptionConfirmation(o: { version?: '1' | '2'; topicArn?: string } = {}): Envelope {
      const token = randomBytes(32).toString('hex');
      const arn = o.topicArn ?? topicArn;
      const m: Envelope = {
        Type: 'SubscriptionConfirmation',
        MessageId: randomUUID(),
        Token: token,
        TopicArn: arn,
        Message: `You have chosen to subscribe to the topic ${arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: `${base}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(arn)}&Token=${token}`,
        Timestamp: new Date().toISOString(),
        SigningCertURL: `${base}${certPath}`,
      };
      return signEnvelope(m, o.version ?? '1');
    },
    /** POSTs an envelope as SNS does (text/plain, x-amz-sns-* headers). */
    deliver(endpoint: string, envelope: Envelope) {
      return postEvent(endpoint, JSON.stringify(envelope), {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': envelope.Type ?? '',
        'x-amz-sns-message-id': envelope.MessageId ?? '',
        'x-amz-sns-topic-arn': envelope.TopicArn ?? '',
        'user-agent': 'Amazon Simple Notification Service Agent',
      });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** SES notification payloads (the `Message` of an SNS Notification). */
export const ses = {
  mail: (messageId: string, to: string) => ({
    timestamp: new Date().toISOString(),
    messageId,
    source: 'auth@example.test',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.test',
    sendingAccountId: '123456789012',
    destination: [to],
  }),
  bounce(messageId: string, to: string, bounceType: 'Permanent' | 'Transient' | 'Undetermined' = 'Permanent') {
    return {
      notificationType: 'Bounce',
      mail: ses.mail(messageId, to),
      bounce: {
        bounceType,
        bounceSubType:
          bounceType === 'Permanent' ? 'General' : bounceType === 'Transient' ? 'MailboxFull' : 'Undetermined',
        bouncedRecipients: [
          {
            emailAddress: to,
            action: 'failed',
            status: bounceType === 'Permanent' ? '5.1.1' : '4.2.2',
            diagnosticCode: `smtp; ${bounceType === 'Permanent' ? '550 5.1.1 user unknown' : '452 4.2.2 mailbox full'}`,
          },
        ],
        timestamp: new Date().toISOString(),
        feedbackId: randomUUID(),
        reportingMTA: 'dsn; a1-1.smtp-out.amazonses.com',
      },
    };
  },
  complaint(messageId: string, to: string) {
    return {
      notificationType: 'Complaint',
      mail: ses.mail(messageId, to),
      complaint: {
        complainedRecipients: [{ emailAddress: to }],
        timestamp: new Date().toISOString(),
        feedbackId: randomUUID(),
        complaintSubType: null,
        complaintFeedbackType: 'abuse',
        userAgent: 'Mail Client',
      },
    };
  },
  delivery(messageId: string, to: string) {
    return {
      notificationType: 'Delivery',
      mail: ses.mail(messageId, to),
      delivery: {
        timestamp: new Date().toISOString(),
        processingTimeMillis: 546,
        recipients: [to],
        smtpResponse: '250 ok',
        reportingMTA: 'a8-70.smtp-out.amazonses.com',
        remoteMtaIp: '127.0.2.0',
      },
    };
  },
};
