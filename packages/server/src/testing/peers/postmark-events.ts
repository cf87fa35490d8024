/**
 * Postmark's side of its webhooks: no signature; the URL pasted at Postmark carries
 * basic-auth credentials (https://user:pass@host/…), which Postmark sends as an
 * Authorization: Basic header. One JSON record per request.
 */
import { randomInt } from 'node:crypto';
import { postEvent } from './events-post.js';

export const postmarkRecords = {
  bounce(
    messageId: string,
    email: string,
    type: 'HardBounce' | 'SoftBounce' | 'Transient' | 'SpamComplaint' = 'HardBounce',
  ) {
    const codes = { HardBounce: 1, Transient: 2, SoftBounce: 4096, SpamComplaint: 100001 } as const;
    return {
      RecordType: type === 'SpamComplaint' ? 'SpamComplaint' : 'Bounce',
      ID: randomInt(1, 2 ** 40),
      Type: type,
      TypeCode: codes[type],
      Name: type === 'HardBounce' ? 'Hard bounce' : type,
      Tag: '',
      MessageID: messageId,
      ServerID: 23,
      MessageStream: 'outbound',
      Description:
        type === 'HardBounce'
          ? 'The server was unable to deliver your message (ex: unknown user, mailbox not found).'
          : 'Temporary failure.',
      Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
      Email: email,
      From: 'auth@example.test',
      BouncedAt: new Date().toISOString(),
      DumpAvailable: true,
      Inactive: type === 'HardBounce' || type === 'SpamComplaint',
      CanActivate: true,
      Subject: 'Your code',
      Metadata: {},
    };
  },
  delivery(messageId: string, recipient: string) {
    return {
      RecordType: 'Delivery',
      ServerID: 23,
      MessageStream: 'outbound',
      MessageID: messageId,
      Recipient: recipient,
      Tag: '',
      DeliveredAt: new Date().toISOString(),
      Details: 'Test delivery webhook details',
      Metadata: {},
    };
  },
};

/** POSTs a record to a URL that may carry user:pass@, as Postmark does with it. */
export function deliverPostmark(urlWithCredentials: string, record: unknown) {
  const u = new URL(urlWithCredentials);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Postmark' };
  if (u.username)
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return postEvent(u.href, JSON.stringify(record), headers);
}
