// The least an HTTP service does to send a code by email (issue 22's ceiling rows): a
// `node:http` server whose `POST /send {email}` reads the JSON body, hands the message
// the bench sampled to the same bare client the raw rows use (a nodemailer pool of 5 with
// TCP_NODELAY into the SMTP receiver, or an undici Pool into the HTTP receiver), awaits the
// receiver's answer and answers 202. No code is made or stored, nothing is rendered or
// logged: whatever a real service adds goes on top of this. Run by run.mjs in a process of
// its own, with plain `node`; it prints "forwarder is listening on URL" when ready.
//
// Env: BENCH_FORWARD=smtp|http, BENCH_SMTP_HOST/BENCH_SMTP_PORT or BENCH_HTTP_URL, BENCH_MESSAGE
// (the sampled message: subject, html, text, and for HTTP the JSON body), BENCH_CONNECTIONS.
import { createServer } from 'node:http';
import { barePool } from './bare-smtp.mjs';
import { Pool } from 'undici';

const message = JSON.parse(process.env.BENCH_MESSAGE ?? '{}');
const kind = process.env.BENCH_FORWARD;
let forward;
if (kind === 'smtp') {
  const host = process.env.BENCH_SMTP_HOST;
  const port = Number(process.env.BENCH_SMTP_PORT);
  const transport = barePool({ host, port });
  forward = async (email) => {
    const info = await transport.sendMail({ from: 'bench@example.test', to: email, subject: message.subject, html: message.html, text: message.text });
    return /^250/.test(info.response);
  };
} else if (kind === 'http') {
  const url = new URL(process.env.BENCH_HTTP_URL);
  const pool = new Pool(url.origin, { connections: Number(process.env.BENCH_CONNECTIONS ?? 32), keepAliveTimeout: 30_000, pipelining: 1 });
  forward = async (email) => {
    const res = await pool.request({
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'bench' },
      body: JSON.stringify({ ...message.body, to: email }),
    });
    await res.body.text();
    return res.statusCode === 200;
  };
} else {
  throw new Error(`BENCH_FORWARD must be smtp or http, not ${kind}`);
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    let email;
    try {
      email = JSON.parse(body).email;
    } catch {
      email = undefined;
    }
    if (typeof email !== 'string') {
      res.writeHead(400).end();
      return;
    }
    forward(email).then(
      (ok) => res.writeHead(ok ? 202 : 502, { 'content-type': 'application/json' }).end('{}'),
      () => res.writeHead(502).end(),
    );
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`forwarder is listening on http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
