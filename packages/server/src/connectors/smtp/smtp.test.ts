import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ConnectorError, isConnectorError, secretPaths } from '@postern/connector-kit';
import { conformanceChecks, createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import factory, { createSmtpConnector, smtpConfigSchema, type SmtpConfig } from './index.js';
import { startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../testing/peers/smtp.js';
import { createTestCertificate, type TestCertificate } from '../../testing/tls.js';

const users = { alice: 'correct-horse-battery' };
const refused = 'nobody@example.test';
let cert: TestCertificate;

beforeAll(async () => {
  cert = await createTestCertificate();
});

const send = (config: SmtpConfig, message = sampleMessage()) => {
  const connector = factory.create(config, createTestContext());
  return connector.send(message, { signal: AbortSignal.timeout(10_000) }).finally(() => connector.close?.());
};

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isConnectorError(err)) throw new Error(`expected a ConnectorError, got ${String(err)}`);
  return err;
}

/** A STARTTLS + AUTH config for a peer, with the test certificate pinned. */
function configFor(peer: SmtpPeer, overrides: Record<string, unknown> = {}): SmtpConfig {
  return smtpConfigSchema.parse({
    host: peer.host,
    port: peer.port,
    requireTLS: true,
    auth: { type: 'login', user: 'alice', pass: users.alice },
    fromEmail: 'no-reply@postern.test',
    fromName: 'Postern',
    tls: { ca: cert.cert },
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 5000,
    ...overrides,
  });
}

async function withPeer<T>(opts: SmtpPeerOptions, fn: (peer: SmtpPeer) => Promise<T>): Promise<T> {
  const peer = await startSmtpPeer(opts);
  try {
    return await fn(peer);
  } finally {
    await peer.close();
  }
}

describe('smtp connector: conformance (STARTTLS, AUTH)', () => {
  let peer: SmtpPeer;
  beforeAll(async () => {
    peer = await startSmtpPeer({ tls: cert, requireAuth: true, users, rejectRecipients: [refused] });
  });
  afterAll(async () => {
    await peer.close();
  });

  for (const c of conformanceChecks<SmtpConfig>({
    factory,
    validConfig: () => configFor(peer),
    invalidConfigs: [
      { host: 'smtp.example.com', fromEmail: 'not-an-email' },
      { host: '', fromEmail: 'a@example.com' },
      { host: 'smtp.example.com', port: 70_000, fromEmail: 'a@example.com' },
      { host: 'smtp.example.com', fromEmail: 'a@example.com', auth: { type: 'login', user: 'u' } },
      { host: 'smtp.example.com', fromEmail: 'a@example.com', auth: { type: 'apikey', key: 'x' } },
      { host: 'smtp.example.com', fromEmail: 'a@example.com', tls: { ca: 'not a pem' } },
      { host: 'smtp.example.com', fromEmail: 'a@example.com', tls: { unknown: true } },
      { host: 'smtp.example.com', fromEmail: 'a@example.com', fromName: 'Evil\r\nBcc: x@example.com' },
      { host: 'smtp.example.com', fromEmail: 'a@example.com', pool: { maxConnections: 0 } },
    ],
    received: () => peer.messages.map((m) => ({ to: m.to.join(','), subject: m.parsed.subject ?? '' })),
    badCredentialsConfig: () => configFor(peer, { auth: { type: 'login', user: 'alice', pass: 'wrong-password-123' } }),
    rejectedRecipient: { to: refused },
  })) {
    it(c.name, c.run);
  }
});

describe('smtp connector', () => {
  it('marks passwords and OAuth2 secrets as secret fields and fills defaults', () => {
    expect(secretPaths(smtpConfigSchema)).toEqual(['auth.clientSecret', 'auth.pass', 'auth.refreshToken']);
    const parsed = smtpConfigSchema.parse({
      host: 'smtp.example.com',
      fromEmail: 'a@example.com',
      dkim: { keyId: 'k1' },
    });
    expect(parsed).toMatchObject({
      port: 587,
      secure: false,
      requireTLS: false,
      pool: { maxConnections: 5 },
      dkim: { keyId: 'k1' },
    });
  });

  it('sends over STARTTLS with AUTH PLAIN, pinning the certificate through tls.ca', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      const message = sampleMessage({
        to: 'bob@example.test',
        replyTo: 'help@postern.test',
        headers: { 'X-Postern-Test': 'yes' },
      });
      const result = await send(
        configFor(peer, { auth: { type: 'login', user: 'alice', pass: users.alice, method: 'PLAIN' } }),
        message,
      );
      const got = peer.messages[0]!;
      expect(got.secure).toBe(true);
      expect(got.user).toBe('alice');
      expect(got.authMethod).toBe('PLAIN');
      expect(got.from).toBe('no-reply@postern.test');
      expect(got.to).toEqual(['bob@example.test']);
      expect(got.parsed.subject).toBe(message.subject);
      expect(got.parsed.text?.trim()).toBe(message.text);
      expect(got.parsed.html).toBe(message.html);
      expect(got.parsed.from?.value[0]).toEqual({ name: 'Postern', address: 'no-reply@postern.test' });
      expect(got.parsed.replyTo?.value[0]?.address).toBe('help@postern.test');
      expect(got.parsed.headers.get('x-postern-test')).toBe('yes');
      expect(got.parsed.messageId).toBe(`<${message.id}@postern.test>`);
      expect(result.providerMessageId).toBe(`<${message.id}@postern.test>`);
    });
  });

  it('encodes mostly Latin text quoted-printable and Thai base64, and both arrive intact', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      const latin = sampleMessage({
        to: 'fr@example.test',
        subject: 'Votre code de connexion',
        text: 'Votre code est 123456. Il expire dans 10 minutes — à bientôt.',
        html: '<p>Votre code est <b>123456</b>. Il expire dans 10 minutes — à bientôt.</p>',
      });
      const thai = sampleMessage({
        to: 'th@example.test',
        subject: 'รหัสเข้าสู่ระบบของคุณ',
        text: 'รหัสของคุณคือ 123456 รหัสจะหมดอายุใน 10 นาที',
        html: '<p>รหัสของคุณคือ <b>123456</b> รหัสจะหมดอายุใน 10 นาที</p>',
      });
      await send(configFor(peer), latin);
      await send(configFor(peer), thai);
      const [fr, th] = peer.messages;
      const encodings = (raw: Buffer) =>
        [...raw.toString().matchAll(/^Content-Transfer-Encoding: (.+)$/gim)].map((m) => m[1]!.trim().toLowerCase());
      expect(encodings(fr!.raw)).toEqual(['quoted-printable', 'quoted-printable']);
      expect(encodings(th!.raw)).toEqual(['base64', 'base64']);
      expect([fr!.parsed.subject, fr!.parsed.text?.trim(), fr!.parsed.html]).toEqual([
        latin.subject,
        latin.text,
        latin.html,
      ]);
      expect([th!.parsed.subject, th!.parsed.text?.trim(), th!.parsed.html]).toEqual([
        thai.subject,
        thai.text,
        thai.html,
      ]);
    });
  });

  it('authenticates with AUTH LOGIN', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      await send(configFor(peer, { auth: { type: 'login', user: 'alice', pass: users.alice, method: 'LOGIN' } }));
      expect(peer.messages[0]?.user).toBe('alice');
      expect(peer.messages[0]?.authMethod).toBe('LOGIN');
    });
  });

  it('sends over implicit TLS', async () => {
    await withPeer({ tls: cert, secure: true, requireAuth: true, users }, async (peer) => {
      await send(configFor(peer, { secure: true, requireTLS: false }));
      expect(peer.messages[0]?.secure).toBe(true);
      expect(peer.messages[0]?.user).toBe('alice');
    });
  });

  it('sends the message from the template sender when the message overrides it', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      await send(configFor(peer), sampleMessage({ from: { name: 'Acme Support', email: 'support@acme.test' } }));
      expect(peer.messages[0]?.parsed.from?.value[0]).toEqual({ name: 'Acme Support', address: 'support@acme.test' });
    });
  });

  it('refuses an unpinned self-signed certificate with connector.unavailable naming the certificate', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      const err = await failure(send(configFor(peer, { tls: undefined })));
      expect(err.code).toBe('connector.unavailable');
      expect(err.message).toMatch(/certificate/i);
      expect(peer.messages).toHaveLength(0);
    });
  });

  it('names a TLS mode mismatch and what to change, without an OpenSSL dump (issue 20)', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      // secure (implicit TLS) on a STARTTLS port: OpenSSL meets a plain-text greeting.
      const err = await failure(send(configFor(peer, { secure: true, requireTLS: false })));
      expect(err.code).toBe('connector.unavailable');
      expect(err.message).toMatch(/port 465/);
      expect(err.message).not.toMatch(/ssl|routines|wrong version/i);
      expect(String(err.details.providerMessage)).not.toMatch(/routines|ssl3/i);
      expect(peer.messages).toHaveLength(0);
    });
  });

  it('says what to change when the server offers no STARTTLS and requireTLS is set', async () => {
    await withPeer({ users }, async (peer) => {
      const err = await failure(send(configFor(peer, { auth: undefined })));
      expect(err.message).toMatch(/STARTTLS/);
      expect(err.message).not.toMatch(/routines|ssl3/i);
    });
  });

  it('does not send in clear text when requireTLS is set and the server offers no STARTTLS', async () => {
    await withPeer({ users }, async (peer) => {
      const err = await failure(send(configFor(peer, { auth: undefined })));
      expect(err.code).toBe('connector.unavailable');
      expect(peer.messages).toHaveLength(0);
    });
  });

  it('fails with auth_failed on a wrong password, showing the 535 and no password', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      const err = await failure(
        send(configFor(peer, { auth: { type: 'login', user: 'alice', pass: 'wrong-password-123' } })),
      );
      expect(err.code).toBe('connector.auth_failed');
      expect(err.message).toMatch(/check the user name and password/);
      expect(err.retryable).toBe(false);
      expect(err.details.providerStatus).toBe(535);
      expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('wrong-password-123');
      expect(err.cause).toBeInstanceOf(Error);
    });
  });

  it('fails with rejected_recipient on a 550 at RCPT TO', async () => {
    await withPeer({ tls: cert, requireAuth: true, users, rejectRecipients: [refused] }, async (peer) => {
      const err = await failure(send(configFor(peer), sampleMessage({ to: refused })));
      expect(err.code).toBe('connector.rejected_recipient');
      expect(err.details.providerStatus).toBe(550);
      expect(err.details.providerMessage).toContain('Mailbox unavailable');
    });
  });

  it('fails with delivery_failed when the message is too large', async () => {
    await withPeer({ tls: cert, requireAuth: true, users, size: 2000 }, async (peer) => {
      const err = await failure(send(configFor(peer), sampleMessage({ html: `<p>${'x'.repeat(10_000)}</p>` })));
      expect(err.code).toBe('connector.delivery_failed');
      expect(err.retryable).toBe(false);
      expect(peer.messages).toHaveLength(0);
    });
  });

  it('times out against a server that never answers', async () => {
    await withPeer({ stall: true }, async (peer) => {
      const err = await failure(send(configFor(peer, { greetingTimeoutMs: 200 })));
      expect(err.code).toBe('connector.timeout');
      expect(err.retryable).toBe(true);
    });
  });

  it('stops waiting with connector.timeout when the signal aborts', async () => {
    await withPeer({ stall: true }, async (peer) => {
      const connector = factory.create(configFor(peer), createTestContext());
      try {
        const ac = new AbortController();
        const sending = connector.send(sampleMessage(), { signal: ac.signal });
        while (peer.connections() === 0) await new Promise((r) => setTimeout(r, 10));
        ac.abort(new DOMException('timed out', 'TimeoutError'));
        const err = await failure(sending);
        expect(err.code).toBe('connector.timeout');
      } finally {
        await connector.close?.();
      }
    });
  });

  it('fails with connector.unavailable when the connection is refused', async () => {
    const peer = await startSmtpPeer();
    await peer.close();
    const err = await failure(send(configFor(peer)));
    expect(err.code).toBe('connector.unavailable');
    expect(err.retryable).toBe(true);
  });

  it('reuses one pooled connection for several sends', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      const connector = factory.create(configFor(peer), createTestContext());
      try {
        await connector.send(sampleMessage({ subject: 'one' }), { signal: AbortSignal.timeout(10_000) });
        await connector.send(sampleMessage({ subject: 'two' }), { signal: AbortSignal.timeout(10_000) });
      } finally {
        await connector.close?.();
      }
      expect(peer.messages.map((m) => m.parsed.subject)).toEqual(['one', 'two']);
      expect(peer.connections()).toBe(1);
    });
  });

  it('passes the destination policy error through for an IP literal host', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      const blocked = new ConnectorError('connector.destination_blocked');
      const ctx = createTestContext({
        assertDestination: async () => {
          throw blocked;
        },
      });
      const connector = createSmtpConnector(configFor(peer), ctx);
      try {
        const err = await failure(connector.send(sampleMessage(), { signal: AbortSignal.timeout(10_000) }));
        expect(err).toBe(blocked);
      } finally {
        await connector.close?.();
      }
      expect(peer.connections()).toBe(0);
    });
  });

  it('resolves host names through ctx.lookup, whose refusal passes through', async () => {
    await withPeer({ tls: cert, requireAuth: true, users }, async (peer) => {
      const blocked = new ConnectorError('connector.destination_blocked');
      const asked: string[] = [];
      const ctx = createTestContext({
        lookup: (hostname, _options, callback) => {
          asked.push(hostname);
          callback(blocked, '');
        },
      });
      const connector = createSmtpConnector(configFor(peer, { host: 'localhost', tls: { ca: cert.cert } }), ctx);
      try {
        const err = await failure(connector.send(sampleMessage(), { signal: AbortSignal.timeout(10_000) }));
        expect(err.code).toBe('connector.destination_blocked');
      } finally {
        await connector.close?.();
      }
      expect(asked).toEqual(['localhost']);
      expect(peer.connections()).toBe(0);
    });
  });
});
