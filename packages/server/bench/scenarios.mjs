// The measured operations. Each factory returns `{expect, op}` for runLoad; the Postern ones
// go through the admin or experience API, the raw ones straight to the sinks.
import net from 'node:net';
import { Pool } from 'undici';
import nodemailer from 'nodemailer';
import { barePool } from './bare-smtp.mjs';

/** Many distinct recipients, so per-recipient limits and invalidation never interfere. */
let nextUser = 0;
export const freshEmail = (tag) => `user${++nextUser}-${tag}@bench.test`;

/** What Postern needs before any scenario: a relaxed code policy. */
export async function relaxPolicy(client) {
  const r = await client.call('PATCH', '/api/verification-code-policy', {
    resendCooldownSeconds: 0,
    maxSendsPerRecipientPerHour: 10000,
    maxSendsPerIpPerHour: 1000000,
    lockout: { maxFailures: 10000, windowSeconds: 3600, lockSeconds: 60 },
  });
  if (r.status !== 200)
    throw new Error(`PATCH /api/verification-code-policy answered ${r.status}: ${JSON.stringify(r.body)}`);
}

/** Points the default tenant's email connector at a sink. */
export async function useConnector(client, connector) {
  const r = await client.call('PUT', '/api/connectors/email', connector);
  if (r.status !== 200 && r.status !== 201)
    throw new Error(`PUT /api/connectors/email answered ${r.status}: ${JSON.stringify(r.body)}`);
}

export const httpConnector = (sink) => ({ factoryId: 'http', config: { endpoint: sink.url } });
export const smtpConnector = (sink) => ({
  factoryId: 'smtp',
  config: { host: sink.host, port: sink.port, fromEmail: 'bench@example.test' },
});

/** 1 and 2: `POST /api/verification-codes` → 201, through whichever connector is set. */
export function sendCode(client, tag) {
  return {
    expect: 201,
    op: async () => (await client.call('POST', '/api/verification-codes', { email: freshEmail(tag) })).status,
  };
}

/**
 * The experience send of issue 22: `POST /api/experience/verification-codes {email,
 * intent:"sign-in"}` without a key, to a new address each time → 202. With sign-up on (the
 * default) the code goes out before the answer, through whichever connector is set.
 */
export function experienceSend(client, tag) {
  return {
    expect: 202,
    op: async () =>
      (await client.call('POST', '/api/experience/verification-codes', { email: freshEmail(tag), intent: 'sign-in' }, { auth: false }))
        .status,
  };
}

/**
 * better-auth's counterpart (bench/better-auth-app.mjs): `POST
 * /api/auth/email-otp/send-verification-otp {email, type:"sign-in"}` to a new address → 200,
 * answered once the mail is in the SMTP receiver. `client` is a createClient on its URL.
 */
export function betterAuthSend(client) {
  return {
    expect: 200,
    op: async () =>
      (await client.call('POST', '/api/auth/email-otp/send-verification-otp', { email: freshEmail('better-auth'), type: 'sign-in' }, { auth: false }))
        .status,
  };
}

/**
 * The bare forwarder's counterpart (bench/forwarder-app.mjs): `POST /send {email}` to a new
 * address → 202, answered once the receiver took the message. `client` is a createClient on its URL.
 */
export function forwarderSend(client) {
  return {
    expect: 202,
    op: async () => (await client.call('POST', '/send', { email: freshEmail('forwarder') }, { auth: false })).status,
  };
}

/** 3: send, read the code from the HTTP sink, verify → 204; marks the verify call alone. */
export function sendAndVerify(client, sink) {
  return {
    expect: 204,
    op: async (_w, _seq, marks) => {
      const email = freshEmail('verify');
      const sent = await client.call('POST', '/api/verification-codes', { email });
      if (sent.status !== 201) return `send:${sent.status}`;
      const code = await sink.codeFor(email);
      const t = performance.now();
      const v = await client.call('POST', '/api/verification-codes/verify', {
        verificationId: sent.body.verificationId,
        email,
        code,
      });
      marks.add('verify', performance.now() - t);
      return v.status === 204 ? 204 : `verify:${v.status}`;
    },
  };
}

/**
 * 3b: verify alone. `prepare(count)` issues `count` codes first (32 at a time, reading each
 * from the HTTP sink); the op verifies one of them → 204. `maxOps()` is how many are left, so
 * a run ends when the pool is used up rather than spinning on an empty one.
 */
export function verifyOnly(client, sink) {
  const pool = [];
  return {
    expect: 204,
    maxOps: () => pool.length,
    async prepare(count) {
      let issued = 0;
      const worker = async () => {
        while (issued < count) {
          issued++;
          const email = freshEmail('verify-only');
          const sent = await client.call('POST', '/api/verification-codes', { email });
          if (sent.status !== 201) throw new Error(`verify pool: send answered ${sent.status}`);
          pool.push({ verificationId: sent.body.verificationId, email, code: await sink.codeFor(email) });
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
    },
    op: async () => {
      const item = pool.pop();
      if (!item) return 'pool empty';
      return (await client.call('POST', '/api/verification-codes/verify', item)).status;
    },
  };
}

const PASSWORD = 'Bench-password-2024!';

/** Whether the end-user code routes exist yet (SPEC §8); a probe send that is not 404. */
export async function signInAvailable(client) {
  const r = await client.call(
    'POST',
    '/api/experience/verification-codes',
    { email: freshEmail('probe'), intent: 'sign-in' },
    { auth: false },
  );
  return r.status !== 404;
}

/** Registers one account by code (send `register`, then register with the code). */
export async function registerUser(client, sink, email) {
  const sent = await client.call(
    'POST',
    '/api/experience/verification-codes',
    { email, intent: 'register' },
    { auth: false },
  );
  if (sent.status !== 202)
    throw new Error(`register send for ${email} answered ${sent.status}: ${JSON.stringify(sent.body)}`);
  const code = await sink.codeFor(email);
  const r = await client.call(
    'POST',
    '/api/experience/register',
    { email, verificationId: sent.body.verificationId, code, password: PASSWORD },
    { auth: false },
  );
  if (r.status !== 201 && r.status !== 409)
    throw new Error(`register ${email} answered ${r.status}: ${JSON.stringify(r.body)}`);
}

/**
 * 4: sign-in by code for pre-registered users (send `sign-in` → 202, sign-in with the code →
 * tokens). A `registration_required` answer is completed with `POST /api/experience/register`
 * so the loop never stalls, but it counts as an error: the users were registered beforehand.
 */
export function signInByCode(client, sink, usersOf) {
  return {
    expect: 'tokens',
    op: async (w, seq, marks) => {
      const users = usersOf(w);
      const email = users[seq % users.length];
      const sent = await client.call(
        'POST',
        '/api/experience/verification-codes',
        { email, intent: 'sign-in' },
        { auth: false },
      );
      if (sent.status !== 202) return `send:${sent.status}`;
      const code = await sink.codeFor(email);
      const t = performance.now();
      const r = await client.call(
        'POST',
        '/api/experience/sign-in/verification-code',
        { email, verificationId: sent.body.verificationId, code },
        { auth: false },
      );
      marks.add('sign-in call', performance.now() - t);
      if (r.status === 200 && r.body?.tokens?.accessToken) return 'tokens';
      if (r.status === 200 && r.body?.status === 'registration_required') {
        const reg = await client.call(
          'POST',
          '/api/experience/register',
          { registrationToken: r.body.registrationToken, password: PASSWORD },
          { auth: false },
        );
        return `registration_required→${reg.status}`;
      }
      return `sign-in:${r.status}`;
    },
  };
}

/**
 * 4b: forgot-password for registered users → 202 at once; the message is written to the
 * outbox with the code and delivered after the answer (SPEC §15).
 */
export function forgotPassword(client, usersOf) {
  return {
    expect: 202,
    op: async (w, seq) => {
      const users = usersOf(w);
      const email = users[seq % users.length];
      const r = await client.call('POST', '/api/experience/verification-codes', { email, intent: 'forgot-password' }, { auth: false });
      return r.status;
    },
  };
}

/** Waits until the outbox holds nothing queued or being sent; resolves the milliseconds it took. */
export async function outboxDrained(client, timeoutMs = 60_000) {
  const t = performance.now();
  while (performance.now() - t < timeoutMs) {
    const q = await client.call('GET', '/api/outbox?status=queued&limit=1');
    const s = await client.call('GET', '/api/outbox?status=sending&limit=1');
    if (q.status !== 200 || s.status !== 200) throw new Error(`GET /api/outbox answered ${q.status}/${s.status}`);
    if (q.body.items.length === 0 && s.body.items.length === 0) return performance.now() - t;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the outbox did not drain');
}

/** 5a: plain undici POSTs of a connector-like JSON body to the HTTP sink. */
export function rawHttp(sink, body, connections) {
  const url = new URL(sink.url);
  const pool = new Pool(url.origin, { connections, keepAliveTimeout: 30_000, pipelining: 1 });
  const payload = JSON.stringify(body);
  return {
    expect: 200,
    op: async () => {
      const res = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'bench' },
        body: payload,
      });
      await res.body.text();
      return res.statusCode;
    },
    close: () => pool.close(),
  };
}

/**
 * 5b: a pooled nodemailer transport (pool: true, maxConnections 5, maxMessages 100: the SMTP
 * connector's defaults) sending a similar message. `noDelay` hands nodemailer sockets with
 * Nagle's algorithm off, as its own connect does not (see docs/benchmarks.md).
 */
export function rawSmtp(sink, message, { maxConnections = 5, noDelay = false } = {}) {
  const transport = barePool(sink, { maxConnections, noDelay });
  return {
    expect: 250,
    op: async () => {
      const info = await transport.sendMail({
        from: 'bench@example.test',
        to: freshEmail('raw'),
        subject: message.subject,
        html: message.html,
        text: message.text,
      });
      return /^250/.test(info.response) ? 250 : info.response;
    },
    close: () => transport.close(),
  };
}

/**
 * SMTP relay stage (issue 18): the client a Keycloak-like system would use, pushing mail
 * over a nodemailer pool of 5 connections (STARTTLS, AUTH, 100 messages per connection,
 * sockets with TCP_NODELAY) to `target` — Postern's SMTP listener or the bare submission
 * sink. Each message goes to a new recipient.
 */
export function relayClient(target, message) {
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: false,
    requireTLS: true,
    auth: target.auth,
    tls: { ca: target.ca, servername: 'localhost' },
    pool: true,
    maxConnections: 5,
    maxMessages: 100,
    getSocket: (_o, callback) => {
      const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
      socket.once('connect', () => callback(null, { connection: socket }));
      socket.once('error', (err) => callback(err));
    },
  });
  return {
    expect: 250,
    op: async () => {
      const info = await transport.sendMail({
        from: 'Acme <auth@relay.example.test>',
        to: freshEmail('relay'),
        subject: message.subject,
        html: message.html,
        text: message.text,
        headers: { 'X-Bench': 'relay' },
      });
      return /^250/.test(info.response) ? 250 : info.response;
    },
    close: () => transport.close(),
  };
}

/** An SMTP credential on Postern for the relay stage, with the listener's certificate to trust. */
export async function relayCredential(client) {
  const cred = await client.call('POST', '/api/smtp-credentials', {
    name: 'bench',
    allowedFromDomains: ['relay.example.test'],
    maxRecipientsPerHour: 1_000_000,
  });
  if (cred.status !== 201) throw new Error(`POST /api/smtp-credentials answered ${cred.status}: ${JSON.stringify(cred.body)}`);
  const cert = await client.call('GET', '/api/smtp-credentials/certificate');
  if (cert.status !== 200) throw new Error(`GET /api/smtp-credentials/certificate answered ${cert.status}`);
  return { auth: { user: cred.body.username, pass: cred.body.password }, ca: cert.body.pem };
}
