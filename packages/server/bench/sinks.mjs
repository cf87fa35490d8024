// Local delivery sinks for the benchmark: they accept everything at once so that the
// figures measure Postern, not the receiver.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { fork } from 'node:child_process';
import { SMTPServer } from 'smtp-server';
import PostalMime from 'postal-mime';
import { generate } from 'selfsigned';

/**
 * Codes by recipient: `put` as they arrive, `take(email)` resolves with the latest code for
 * that address, waiting for it if the delivery has not arrived yet.
 */
export function codeBook() {
  const codes = new Map();
  const waiters = new Map();
  return {
    put(to, code) {
      const w = waiters.get(to);
      if (w) {
        waiters.delete(to);
        w(code);
      } else codes.set(to, code);
    },
    take(email, timeoutMs = 10_000) {
      const c = codes.get(email);
      if (c !== undefined) {
        codes.delete(email);
        return Promise.resolve(c);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          waiters.delete(email);
          reject(new Error(`no code arrived for ${email}`));
        }, timeoutMs);
        waiters.set(email, (code) => {
          clearTimeout(t);
          resolve(code);
        });
      });
    },
  };
}

/**
 * An HTTP receiver for the HTTP connector: answers 200 `{"id":…}` to every POST at once and
 * calls `onCode(to, code)` for every body that carries `payload.code`.
 */
export async function startHttpSink({ onCode }) {
  let received = 0;
  let sample;
  let latest;
  let seq = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received++;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        sample ??= body;
        latest = body;
        const to = typeof body.to === 'string' ? body.to : (body.to?.address ?? '');
        const code = body.payload?.code;
        if (to && code) onCode(to, String(code));
      } catch {
        // The raw-limit scenario posts the same shape; anything else is simply counted.
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"id":"sink-${++seq}"}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/deliver`,
    get received() {
      return received;
    },
    /** The first JSON body received, used to give the raw-limit scenarios a similar payload. */
    get sample() {
      return sample;
    },
    /** The last JSON body received (the stage of issue 22 posts the body of an experience send). */
    get latest() {
      return latest;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * An SMTP receiver: no auth, no TLS, accepts every recipient and parses every message
 * (postal-mime: headers, text and HTML parts), as a receiving server has to, before it
 * answers 250. A message that does not parse or has no subject answers 554, so a broken
 * sender shows as errors. Every SMTP row of the bench sends into this one receiver.
 */
export async function startSmtpSink() {
  let received = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, _session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        PostalMime.parse(Buffer.concat(chunks)).then(
          (mail) => {
            if (!mail.subject || !(mail.text || mail.html)) return cb(Object.assign(new Error('5.6.0 No subject or body'), { responseCode: 554 }));
            received++;
            cb(null, 'Queued');
          },
          (err) => cb(Object.assign(new Error(`5.6.0 Unparsable message: ${err.message}`), { responseCode: 554 })),
        );
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address();
  return {
    host: '127.0.0.1',
    port,
    get received() {
      return received;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The user and password the bare submission sink takes (any other is refused with 535). */
export const RELAY_SINK_AUTH = { user: 'bench', pass: 'bench-password' };

/**
 * The bare counterpart of Postern's SMTP listener, for the SMTP relay stage: `smtp-server`
 * with the same protocol work (STARTTLS with an RSA-2048 certificate, AUTH PLAIN/LOGIN only
 * inside TLS, TCP_NODELAY as Postern sets it) and nothing behind it: the data is read and
 * discarded. The same client then pushes mail through both.
 */
export async function startSubmissionSink() {
  let received = 0;
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 24 * 3600_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  const server = new SMTPServer({
    secure: false,
    key: pems.private,
    cert: pems.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    authOptional: false,
    disableReverseLookup: true,
    logger: false,
    size: 10 * 1024 * 1024,
    onAuth(auth, _session, cb) {
      if (auth.username === RELAY_SINK_AUTH.user && auth.password === RELAY_SINK_AUTH.pass) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('5.7.8 Bad credentials'), { responseCode: 535 }));
    },
    onData(stream, _session, cb) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        cb(null, 'Queued');
      });
    },
  });
  server.server.on('connection', (socket) => socket.setNoDelay(true));
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address();
  return {
    host: '127.0.0.1',
    port,
    ca: pems.cert,
    get received() {
      return received;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Starts both sinks in a child process (sink-child.mjs). Resolves with `http.url`,
 * `http.codeFor(email)`, `http.sample()` (the first JSON body received; `http.sample({latest: true})` the last one), `smtp.host/port`,
 * `submission.host/port/ca/auth` (the bare submission sink) and `close()`.
 */
export async function startSinkProcess() {
  const child = fork(new URL('./sink-child.mjs', import.meta.url), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const book = codeBook();
  let sampleWaiter;
  const ready = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the sink process exited (${code})`)));
    child.on('message', (m) => {
      if (m.type === 'code') book.put(m.to, m.code);
      else if (m.type === 'ready') resolve(m);
      else if (m.type === 'sample') sampleWaiter?.(m.sample);
    });
  });
  child.removeAllListeners('exit');
  return {
    pid: child.pid,
    http: {
      url: ready.httpUrl,
      codeFor: (email) => book.take(email),
      sample: ({ latest = false } = {}) =>
        new Promise((resolve) => {
          sampleWaiter = resolve;
          child.send({ type: 'sample', latest });
        }),
    },
    smtp: { host: ready.smtpHost, port: ready.smtpPort },
    submission: { host: ready.submissionHost, port: ready.submissionPort, ca: ready.submissionCa, auth: RELAY_SINK_AUTH },
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ type: 'close' });
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
