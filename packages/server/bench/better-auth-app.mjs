#!/usr/bin/env node
// The better-auth side of the issue-22 comparison, run by run.mjs as a process of its own: a
// small better-auth app with its `emailOTP` plugin, its Kysely adapter on SQLite (a
// better-sqlite3 file, the same engine as Postern's default; PostgreSQL when the bench runs
// Postern on it) and `sendVerificationOTP`
// mailing the code through a nodemailer pool into the bench's SMTP receiver. The send is
// awaited before the answer, as better-auth does unless a background-task handler is set.
// The load generator calls `POST /api/auth/email-otp/send-verification-otp
// {email, type:"sign-in"}` → 200.
//
// Environment: BENCH_DB (SQLite file, or a postgres:// URL), BENCH_SMTP_HOST/BENCH_SMTP_PORT (the receiver),
// BENCH_MESSAGE (JSON `{subject, html, text, code}`: the message Postern sent; `code` is
// replaced by each new OTP so that both send the same mail). Prints
// `better-auth is listening on http://127.0.0.1:<port>` once it accepts requests.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { barePool } from './bare-smtp.mjs';

// better-auth is installed for packages/better-auth (a dev dependency there), not at the root.
const requireFromPlugin = createRequire(new URL('../../better-auth/package.json', import.meta.url));
const load = (specifier) => import(pathToFileURL(requireFromPlugin.resolve(specifier)).href);
const { betterAuth } = await load('better-auth');
const { emailOTP } = await load('better-auth/plugins');
const { toNodeHandler } = await load('better-auth/node');
const { getMigrations } = await load('better-auth/db/migration');

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`better-auth-app: ${name} is not set`);
  return v;
};
const message = JSON.parse(need('BENCH_MESSAGE'));
const smtp = { host: need('BENCH_SMTP_HOST'), port: Number(need('BENCH_SMTP_PORT')) };

// The pool the bench's bare SMTP row uses: 5 connections, 100 messages each, sockets with
// TCP_NODELAY (nodemailer's own connect leaves Nagle's algorithm on, which stalls every
// message on loopback; giving better-auth the fast socket keeps the comparison fair).
const transport = barePool(smtp);
const fill = (s, otp) => (typeof s === 'string' ? s.split(message.code).join(otp) : undefined);

const where = need('BENCH_DB');
// better-auth takes either driver as is and picks its Kysely dialect from it.
const database = where.startsWith('postgres') ? new pg.Pool({ connectionString: where, max: 10 }) : new Database(where);
if (database instanceof Database) database.pragma('journal_mode = WAL');
const options = {
  baseURL: 'http://127.0.0.1',
  secret: randomBytes(32).toString('base64'),
  database,
  telemetry: { enabled: false },
  // Postern's code policy is relaxed for the bench; better-auth's limiter (on by default in
  // production: 3 sends a minute per client IP) would refuse all but the first sends.
  rateLimit: { enabled: false },
  plugins: [
    emailOTP({
      async sendVerificationOTP({ email, otp }) {
        await transport.sendMail({
          from: 'bench@example.test',
          to: email,
          subject: fill(message.subject, otp),
          html: fill(message.html, otp),
          text: fill(message.text, otp),
        });
      },
    }),
  ],
};
const { runMigrations } = await getMigrations(options);
await runMigrations();
const handler = toNodeHandler(betterAuth(options));

const server = createServer((req, res) => {
  if (req.url?.startsWith('/api/auth/')) return handler(req, res);
  res.writeHead(404).end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`better-auth is listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  transport.close();
  server.closeAllConnections();
  server.close(() => {
    void Promise.resolve(database instanceof Database ? database.close() : database.end()).then(() => process.exit(0));
  });
});
