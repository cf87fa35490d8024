#!/usr/bin/env node
// `node packages/server/bench/pg-roundtrips.mjs [--ops=N] [--verbose]`: what one operation
// costs PostgreSQL. Postern runs against a fresh database through a small TCP proxy that
// reads the PostgreSQL wire protocol the server speaks and counts, per operation:
//   round trips   answers the server waited for (ReadyForQuery messages: one per simple
//                 query or per Sync of the extended protocol);
//   statements    statements executed (Execute messages plus simple queries), with BEGIN,
//                 COMMIT and ROLLBACK counted apart as transactions;
//   parses        Parse messages (a named prepared statement is parsed once per connection);
// and the CPU ms per operation of Postern and of the PostgreSQL backends serving it (from
// /proc, for the backends pg_stat_activity lists on the bench's database). The operations run one at a time (c=1), so the
// counts are exact; what background workers (outbox, retention, webhooks) do in the same
// time is measured in an idle window of the same length and printed beside them.
// `--verbose` lists the statements' text with how often each ran per operation.
// Needs the PostgreSQL at BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostern, cpuMs } from './server.mjs';
import { startSinkProcess } from './sinks.mjs';
import { createClient } from './load.mjs';
import * as sc from './scenarios.mjs';

const opsArg = process.argv.find((a) => a.startsWith('--ops='));
const OPS = opsArg ? Number(opsArg.slice(6)) : 200;
const VERBOSE = process.argv.includes('--verbose');
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Counters of what the frontend (Postern) sent and the backend answered. */
function counters() {
  return { roundTrips: 0, statements: 0, transactions: 0, commits: 0, parses: 0, texts: new Map() };
}

/**
 * A proxy on 127.0.0.1:0 to `target` that splits both directions into protocol messages
 * (type byte + int32 length; the first frontend message of a connection has no type byte)
 * and counts them. Bytes are forwarded unchanged, as they arrive.
 */
async function countingProxy(target) {
  let c = counters();
  const statementOf = new Map(); // per connection: prepared-statement name → text
  const server = net.createServer((front) => {
    front.setNoDelay(true);
    const back = net.connect(target.port, target.host);
    back.setNoDelay(true);
    const named = new Map();
    statementOf.set(front, named);
    let unnamed = '';
    let bound = '';
    const note = (text) => {
      const t = text.replace(/\s+/g, ' ').trim();
      const head = t.slice(0, 6).toLowerCase();
      if (head.startsWith('begin') || head.startsWith('start ')) c.transactions++;
      if (head.startsWith('commit')) c.commits++;
      c.statements++;
      c.texts.set(t, (c.texts.get(t) ?? 0) + 1);
    };
    const frames = (initial, onMessage) => {
      let buf = Buffer.alloc(0);
      let first = initial;
      return (chunk) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        for (;;) {
          if (first) {
            if (buf.length < 4) return;
            const len = buf.readInt32BE(0);
            if (buf.length < len) return;
            buf = buf.subarray(len);
            first = false;
            continue;
          }
          if (buf.length < 5) return;
          const len = buf.readInt32BE(1);
          if (buf.length < len + 1) return;
          onMessage(String.fromCharCode(buf[0]), buf.subarray(5, len + 1));
          buf = buf.subarray(len + 1);
        }
      };
    };
    const cstring = (b, at) => {
      const end = b.indexOf(0, at);
      return [b.toString('utf8', at, end), end + 1];
    };
    front.on(
      'data',
      frames(true, (type, body) => {
        if (type === 'Q') note(cstring(body, 0)[0]);
        else if (type === 'P') {
          c.parses++;
          const [name, at] = cstring(body, 0);
          const [text] = cstring(body, at);
          if (name) named.set(name, text);
          else unnamed = text;
        } else if (type === 'B') {
          const [, at] = cstring(body, 0);
          const [stmt] = cstring(body, at);
          bound = stmt ? (named.get(stmt) ?? stmt) : unnamed;
        } else if (type === 'E') note(bound);
      }),
    );
    back.on(
      'data',
      frames(false, (type) => {
        if (type === 'Z') c.roundTrips++;
      }),
    );
    front.pipe(back);
    back.pipe(front);
    const end = () => {
      front.destroy();
      back.destroy();
      statementOf.delete(front);
    };
    front.on('error', end).on('close', end);
    back.on('error', end).on('close', end);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    port: server.address().port,
    /** The counts since the last take, and a fresh start. */
    take() {
      const out = c;
      c = counters();
      return out;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/** CPU ms of each PostgreSQL backend connected to database `name` (PostgreSQL on this machine). */
async function backendCpu(name) {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    const r = await c.query('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    const out = new Map();
    for (const { pid } of r.rows) {
      try {
        out.set(pid, cpuMs(pid));
      } catch {
        // ended meanwhile
      }
    }
    return out;
  } finally {
    await c.end();
  }
}

async function database() {
  const name = `postern_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

const fmt = (n) => (Math.round(n * 100) / 100).toFixed(2);

async function main() {
  const db = await database();
  const proxy = await countingProxy({ host: db.url.hostname, port: Number(db.url.port || 5432) });
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  const sinks = await startSinkProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'postern-pgrt-'));
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  let server;
  let client;
  const results = [];
  try {
    server = await startPostern({
      env: {
        DATABASE_URL: viaProxy.toString(),
        POSTERN_DATA_DIR: dataDir,
        POSTERN_SECRET: randomBytes(32).toString('base64'),
        POSTERN_ADMIN_KEY: adminKey,
        POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
        LOG_LEVEL: 'warn',
      },
    });
    client = createClient(server.url, adminKey);
    await sc.relaxPolicy(client);
    await sc.useConnector(client, sc.httpConnector(sinks.http));
    const users = [];
    for (let i = 0; i < OPS; i++) {
      const email = sc.freshEmail('rt');
      await sc.registerUser(client, sinks.http, email);
      users.push(email);
    }
    // Warm-up: caches filled, statements prepared on the pool's connections.
    for (let i = 0; i < 50; i++) {
      const r = await client.call('POST', '/api/verification-codes', { email: sc.freshEmail('rt-warm') });
      if (r.status !== 201) throw new Error(`warm-up send answered ${r.status}`);
    }
    await new Promise((r) => setTimeout(r, 500));

    /** Runs `op` OPS times, one at a time; records the counts, less an idle window's. */
    const measure = async (name, op) => {
      proxy.take();
      const pg0 = await backendCpu(db.name);
      const cpu0 = cpuMs(server.pid);
      const t0 = performance.now();
      for (let i = 0; i < OPS; i++) await op(i);
      const elapsed = performance.now() - t0;
      const busy = proxy.take();
      const cpu = cpuMs(server.pid) - cpu0;
      let pgCpu = 0;
      for (const [pid, ms] of await backendCpu(db.name)) pgCpu += ms - (pg0.get(pid) ?? 0);
      await new Promise((r) => setTimeout(r, Math.min(elapsed, 5000)));
      const idle = proxy.take();
      const idleScale = elapsed / Math.min(elapsed, 5000);
      results.push({ name, busy, idle, idleScale, cpu, pgCpu, elapsed });
    };

    // 1. Admin send: POST /api/verification-codes → 201 (HTTP connector, delivered before the answer).
    await measure('send code (admin API)', async () => {
      const r = await client.call('POST', '/api/verification-codes', { email: sc.freshEmail('rt-send') });
      if (r.status !== 201) throw new Error(`send answered ${r.status}`);
    });
    // 2. Experience send of a sign-in code → 202; the code is read from the sink afterwards.
    const pending = [];
    await measure('send sign-in code (experience)', async (i) => {
      const email = users[i];
      const r = await client.call(
        'POST',
        '/api/experience/verification-codes',
        { email, intent: 'sign-in' },
        { auth: false },
      );
      if (r.status !== 202) throw new Error(`experience send answered ${r.status}`);
      pending.push({ email, verificationId: r.body.verificationId });
    });
    for (const p of pending) p.code = await sinks.http.codeFor(p.email);
    // 3. Sign-in by code → tokens.
    await measure('sign-in by code (the sign-in call)', async (i) => {
      const p = pending[i];
      const r = await client.call('POST', '/api/experience/sign-in/verification-code', p, { auth: false });
      if (r.status !== 200 || !r.body?.tokens?.accessToken)
        throw new Error(`sign-in answered ${r.status}: ${JSON.stringify(r.body)}`);
    });
  } catch (err) {
    if (server) process.stderr.write(`Postern stderr (tail):\n${server.stderrTail()}\n`);
    throw err;
  } finally {
    await client?.close();
    await server?.stop();
    await sinks.close();
    await proxy.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  process.stdout.write(`PostgreSQL work per operation (${OPS} operations each, one at a time)\n\n`);
  process.stdout.write(
    '| operation | round trips | statements | BEGIN…COMMIT | parses | Postern CPU ms | PostgreSQL CPU ms | background round trips (same time, idle) |\n',
  );
  process.stdout.write('| :-- | --: | --: | --: | --: | --: | --: | --: |\n');
  for (const r of results) {
    const per = (k) => r.busy[k] / OPS;
    process.stdout.write(
      `| ${r.name} | ${fmt(per('roundTrips'))} | ${fmt(per('statements') - per('transactions') - per('commits'))} | ${fmt(per('transactions'))} | ${fmt(per('parses'))} | ${fmt(r.cpu / OPS)} | ${fmt(r.pgCpu / OPS)} | ${fmt((r.idle.roundTrips * r.idleScale) / OPS)} |\n`,
    );
  }
  process.stdout.write(
    '\n(statements exclude BEGIN and COMMIT; the background column is what the workers did in an idle window, scaled to the same time and divided by the operations)\n',
  );
  if (VERBOSE) {
    for (const r of results) {
      process.stdout.write(`\n${r.name}:\n`);
      const list = [...r.busy.texts].sort((a, b) => b[1] - a[1]);
      for (const [text, n] of list) process.stdout.write(`  ${fmt(n / OPS)}  ${text.slice(0, 220)}\n`);
    }
  }
}

main().catch((err) => {
  process.stderr.write(`pg-roundtrips failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
