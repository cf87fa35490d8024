#!/usr/bin/env node
// The circuit breaker's effect on send latency (SPEC §15): the primary connector points at a
// peer that accepts connections and never answers (a blackhole). The first sends wait for
// the 10 s attempt timeout; after five of them the circuit opens. The script then measures
// the latency of sends with a fallback (they go straight to it) and without one (an
// immediate 503 connector.circuit_open). Not a test: the figures depend on the machine.
//   node packages/server/bench/circuit.mjs [--sends=N]
import net from 'node:net';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = new URL('../../../', import.meta.url).pathname;
const { loadConfig } = await import(join(ROOT, 'packages/server/dist/config.js'));
const { createPostern } = await import(join(ROOT, 'packages/server/dist/main.js'));
const SENDS = Number(process.argv.find((a) => a.startsWith('--sends='))?.slice(8) ?? 1000);
const CONCURRENCY = 8;

const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));

async function main() {
  const sockets = new Set();
  const blackhole = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  let reached = 0;
  blackhole.on('connection', () => reached++);
  const deadPort = await listen(blackhole);
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"ok"}'));
  });
  const sinkPort = await listen(sink);
  const dir = mkdtempSync(join(tmpdir(), 'postern-circuit-'));
  const key = `circuit-bench-${randomBytes(16).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, 'p.db')}`,
    POSTERN_SECRET: randomBytes(32).toString('base64'),
    POSTERN_ADMIN_KEY: key,
    POSTERN_DATA_DIR: dir,
    POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
    LOG_LEVEL: 'silent',
  });
  const p = await createPostern(config, { housekeeping: false });
  const url = await p.app.listen({ port: 0, host: '127.0.0.1' });
  const call = async (method, path, body) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json().catch(() => undefined), retryAfter: r.headers.get('retry-after') };
  };
  let n = 0;
  const send = () => call('POST', '/api/verification-codes', { email: `c${++n}@bench.test` });
  const measure = async (count, expect) => {
    const times = [];
    let next = 0;
    const worker = async () => {
      while (next++ < count) {
        const t = performance.now();
        const r = await send();
        times.push(performance.now() - t);
        if (r.status !== expect)
          throw new Error(`a send answered ${r.status} ${JSON.stringify(r.body)}, expected ${expect}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    times.sort((a, b) => a - b);
    const at = (f) => times[Math.min(times.length - 1, Math.floor(times.length * f))].toFixed(1);
    return `${times.length} sends: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${times[times.length - 1].toFixed(1)} ms`;
  };
  try {
    process.stdout.write(
      `circuit bench — SQLite, concurrency ${CONCURRENCY}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    await call('PATCH', '/api/verification-code-policy', {
      resendCooldownSeconds: 0,
      maxSendsPerIpPerHour: 1000000,
      maxSendsPerRecipientPerHour: 10000,
    });
    await call('PUT', '/api/connectors/email', {
      factoryId: 'http',
      config: { endpoint: `http://127.0.0.1:${deadPort}/hook` },
    });
    await call('PUT', '/api/connectors/email/fallback', {
      factoryId: 'http',
      config: { endpoint: `http://127.0.0.1:${sinkPort}/hook` },
    });
    const t = performance.now();
    const opening = await Promise.all(Array.from({ length: 5 }, send));
    process.stdout.write(
      `  5 sends while the primary blackholes (closed circuit): ${((performance.now() - t) / 1000).toFixed(1)} s, answers ${opening.map((r) => r.status).join(',')}\n`,
    );
    const health = (await call('GET', '/api/connectors/health')).body.items.find((i) => i.role === 'primary');
    process.stdout.write(`  primary circuit: ${health.circuit}\n`);
    const reachedBefore = reached;
    process.stdout.write(
      `  with a fallback, circuit open: ${await measure(SENDS, 201)}; new connections to the primary: ${reached - reachedBefore}\n`,
    );
    await call('DELETE', '/api/connectors/email/fallback');
    const r = await send();
    process.stdout.write(`  without a fallback: ${r.status} ${r.body.code}, Retry-After ${r.retryAfter}\n`);
    process.stdout.write(`  without a fallback, circuit open: ${await measure(SENDS, 503)}\n`);
  } finally {
    await p.close();
    for (const s of sockets) s.destroy();
    blackhole.close();
    sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`circuit bench failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
