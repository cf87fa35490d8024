import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface SmtpPeerOptions {
  /** Implicit TLS from the first byte (port-465 style); needs `tls`. */
  secure?: boolean;
  /** Refuse mail from sessions that have not authenticated. */
  requireAuth?: boolean;
  /** Accepted AUTH PLAIN/LOGIN credentials, user → password. */
  users?: Record<string, string>;
  /** Accepted XOAUTH2 access tokens, user → token. */
  accessTokens?: Record<string, string>;
  /** Recipients refused with 550 at RCPT TO. */
  rejectRecipients?: string[];
  /** Senders refused with 550 at MAIL FROM. */
  rejectSenders?: string[];
  /** Refuse every message after DATA with 554 (a content filter). */
  rejectMessages?: boolean;
  /** Allow AUTH on a connection without TLS (a relay on a private network). */
  insecureAuth?: boolean;
  /** A server that accepts connections and never says a word. */
  stall?: boolean;
  /** Certificate for implicit TLS and STARTTLS. Without it STARTTLS is not offered. */
  tls?: { key: string; cert: string };
  /** Largest message accepted; larger ones get 552. */
  size?: number;
  /**
   * Holds the answer to DATA this long after the whole message arrived (a slow relay), so
   * that a sender can die between handing a message over and learning it was taken.
   */
  holdDataMs?: number;
}

export interface ReceivedSmtpMessage {
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
  /** The authenticated user, if the session authenticated. */
  user?: string;
  /** The SASL mechanism the session authenticated with (PLAIN, LOGIN, XOAUTH2). */
  authMethod?: string;
  /** Whether the session was encrypted (implicit TLS or STARTTLS). */
  secure: boolean;
  /** False while the answer to DATA is held, and for good when the sender hung up before it. */
  acked: boolean;
}

export interface SmtpPeer {
  host: '127.0.0.1';
  port: number;
  messages: ReceivedSmtpMessage[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 and a free port, for connector tests. */
export async function startSmtpPeer(opts: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  if (opts.stall) return startSilentServer();
  const messages: ReceivedSmtpMessage[] = [];
  let connections = 0;
  const authMethods = new Map<string, string>();
  const rejected = new Set((opts.rejectRecipients ?? []).map((a) => a.toLowerCase()));
  const rejectedSenders = new Set((opts.rejectSenders ?? []).map((a) => a.toLowerCase()));
  const closedSessions = new Set<string>();

  const options: SMTPServerOptions = {
    secure: opts.secure ?? false,
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : { disabledCommands: ['STARTTLS'] }),
    authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
    allowInsecureAuth: opts.insecureAuth ?? false,
    authOptional: !opts.requireAuth,
    closeTimeout: 200,
    logger: false,
    ...(opts.size ? { size: opts.size } : {}),
    onConnect(_session, cb) {
      connections += 1;
      cb();
    },
    onClose(session) {
      closedSessions.add(session.id);
    },
    onAuth(auth, session, cb) {
      const user = auth.username ?? '';
      authMethods.set(session.id, auth.method);
      if (auth.method === 'XOAUTH2') {
        const expected = opts.accessTokens?.[user];
        if (expected && auth.accessToken === expected) return cb(null, { user });
        return cb(null, { data: { status: '401', schemes: 'bearer', scope: 'mail' } });
      }
      const expected = opts.users?.[user];
      if (expected !== undefined && auth.password === expected) return cb(null, { user });
      return cb(new Error('Invalid username or password'));
    },
    onMailFrom(address, _session, cb) {
      if (rejectedSenders.has(address.address.toLowerCase())) {
        return cb(Object.assign(new Error('5.7.1 Sender address rejected'), { responseCode: 550 }));
      }
      cb();
    },
    onRcptTo(address, _session, cb) {
      if (rejected.has(address.address.toLowerCase())) {
        const err = Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 });
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', cb);
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          return cb(Object.assign(new Error('5.3.4 Message exceeds fixed maximum message size'), { responseCode: 552 }));
        }
        if (opts.rejectMessages) {
          return cb(Object.assign(new Error('5.7.1 Message rejected by content filter'), { responseCode: 554 }));
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            const mailFrom = session.envelope.mailFrom;
            const message: ReceivedSmtpMessage = {
              from: mailFrom ? mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
              ...(session.user ? { user: String(session.user), authMethod: authMethods.get(session.id) ?? '' } : {}),
              secure: session.secure,
              acked: !opts.holdDataMs,
            };
            messages.push(message);
            if (!opts.holdDataMs) return cb();
            setTimeout(() => {
              // The sender learns the message was taken only if it is still there to hear it.
              message.acked = !closedSessions.has(session.id);
              cb();
            }, opts.holdDataMs);
          },
          (err: Error) => cb(err),
        );
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    messages,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function startSilentServer(): Promise<SmtpPeer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    messages: [],
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
