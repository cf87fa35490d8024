import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { MAX_MESSAGE_BYTES, type SmtpRefusal, type SmtpSubmission } from '../core/smtp/submission.js';
import type { SmtpCredentialRecord } from '../core/smtp/ports.js';
import type { ListenerCertificate } from './certificate.js';

export interface SmtpListenerOptions {
  /** STARTTLS submission port (0: any free one). */
  port?: number | undefined;
  /** Implicit-TLS port (0: any free one). */
  smtpsPort?: number | undefined;
  host: string;
  /** The name in the greeting and EHLO answer. */
  name: string;
  certificate: ListenerCertificate;
  submission: SmtpSubmission;
  log: { warn(fields: Record<string, unknown>, message: string): void };
}

export interface SmtpAddresses {
  port?: number;
  smtpsPort?: number;
}

type Callback = (err?: Error | null) => void;

/** An Error that smtp-server answers with its own code and text. */
function answer(r: SmtpRefusal): Error {
  return Object.assign(new Error(r.message), { responseCode: r.code });
}

const credentialOf = (session: SMTPServerSession): SmtpCredentialRecord | undefined => session.user as unknown as SmtpCredentialRecord | undefined;

/**
 * The SMTP submission listener (SPEC §18): STARTTLS on the submission port, implicit TLS on
 * the SMTPS port, AUTH PLAIN/LOGIN only inside TLS (on every address, loopback included),
 * no mail without AUTH. It speaks the protocol; every decision is `SmtpSubmission`'s.
 */
export class SmtpListener {
  private readonly servers: Array<{ server: SMTPServer; port: number; kind: 'port' | 'smtpsPort' }> = [];
  private bound: SmtpAddresses | undefined;

  constructor(private readonly o: SmtpListenerOptions) {
    if (o.port !== undefined) this.servers.push({ server: this.make(false), port: o.port, kind: 'port' });
    if (o.smtpsPort !== undefined) this.servers.push({ server: this.make(true), port: o.smtpsPort, kind: 'smtpsPort' });
  }

  get certificate(): ListenerCertificate {
    return this.o.certificate;
  }

  /** The ports clients connect to: the bound ones once listening, else the configured ones. */
  get addresses(): SmtpAddresses {
    if (this.bound) return this.bound;
    const out: SmtpAddresses = {};
    for (const s of this.servers) out[s.kind] = s.port;
    return out;
  }

  private make(secure: boolean): SMTPServer {
    const { submission } = this.o;
    const server = new SMTPServer({
      secure,
      key: this.o.certificate.key,
      cert: this.o.certificate.cert,
      name: this.o.name,
      banner: 'Postern SMTP submission',
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: false,
      authOptional: false,
      size: MAX_MESSAGE_BYTES,
      disabledCommands: secure ? ['STARTTLS'] : [],
      // A reverse lookup per connection costs a DNS round trip and tells us nothing we use.
      disableReverseLookup: true,
      // At shutdown, a client in the middle of a message gets this long to finish it.
      closeTimeout: 3_000,
      logger: false,
      onAuth: (auth, session, cb) => {
        // smtp-server never calls this before TLS (allowInsecureAuth: false); checked again all the same.
        if (!session.secure) return cb(answer({ code: 538, message: '5.7.11 Encryption required: issue STARTTLS first' }));
        submission.authenticate(auth.username ?? '', auth.password ?? '', session.remoteAddress).then(
          (r) => (r.ok ? cb(null, { user: r.credential as never }) : cb(answer(r.refusal))),
          (err: unknown) => this.failed(err, cb),
        );
      },
      onMailFrom: (address, session, cb: Callback) => {
        const c = credentialOf(session);
        if (!c) return cb(answer({ code: 530, message: '5.7.0 Authentication required' }));
        submission.checkSender(c, address.address).then((r) => cb(r ? answer(r) : null), (err: unknown) => this.failed(err, cb));
      },
      onRcptTo: (address, session, cb: Callback) => {
        const c = credentialOf(session);
        if (!c) return cb(answer({ code: 530, message: '5.7.0 Authentication required' }));
        submission.checkRecipient(c, address.address).then((r) => cb(r ? answer(r) : null), (err: unknown) => this.failed(err, cb));
      },
      onData: (stream, session, cb) => this.onData(stream, session, cb),
    });
    server.on('error', (err) => this.o.log.warn({ err: { message: err.message } }, 'SMTP listener error'));
    // Small SMTP replies must not wait for Nagle's algorithm (it made throughput 2.5× worse).
    server.server.on('connection', (socket: Socket) => socket.setNoDelay(true));
    return server;
  }

  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
    });
    stream.on('error', (err: Error) => this.failed(err, cb));
    stream.on('end', () => {
      if (stream.sizeExceeded || size > MAX_MESSAGE_BYTES) {
        return cb(answer({ code: 552, message: `5.3.4 The message is larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MB` }));
      }
      const c = credentialOf(session);
      if (!c) return cb(answer({ code: 530, message: '5.7.0 Authentication required' }));
      const envelope = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
      };
      this.o.submission.submit(c, envelope, Buffer.concat(chunks, size)).then(
        (r) => ('ok' in r ? cb(null, `2.0.0 Queued as ${r.messageIds.join(',')}`) : cb(answer(r))),
        (err: unknown) => this.failed(err, cb),
      );
    });
  }

  /** An unexpected failure (a database down): a temporary refusal, so the client tries again. */
  private failed(err: unknown, cb: Callback): void {
    this.o.log.warn({ err: { message: (err as Error)?.message } }, 'SMTP submission failed');
    cb(answer({ code: 451, message: '4.3.0 Temporary failure; try again later' }));
  }

  /** Starts listening; answers the ports it got (tests ask for 0). */
  async listen(): Promise<SmtpAddresses> {
    const out: SmtpAddresses = {};
    for (const s of this.servers) {
      await new Promise<void>((resolve, reject) => {
        s.server.server.once('error', reject);
        s.server.listen(s.port, this.o.host, () => {
          s.server.server.off('error', reject);
          resolve();
        });
      });
      out[s.kind] = (s.server.server.address() as AddressInfo).port;
    }
    this.bound = out;
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.server.close(() => resolve()))));
  }
}
