#!/usr/bin/env node
// Retention under load (SPEC §15): fills `email_logs` with N rows older than the window
// (default 10^6), then trims them with the same code the server runs every 10 minutes while
// a client keeps sending requests to the same process, and reports how long the trim took
// and the slowest request during it. Not a test: the figure depends on the machine.
//   node packages/server/bench/retention.mjs [--postgres] [--rows=N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';

const ROOT = new URL('../../../', import.meta.url).pathname;
const { loadConfig } = await import(join(ROOT, 'packages/server/dist/config.js'));
const { createPostern } = await import(join(ROOT, 'packages/server/dist/main.js'));

const POSTGRES = process.argv.includes('--postgres');
const ROWS = Number(process.argv.find((a) => a.startsWith('--rows='))?.slice(7) ?? 1_000_000);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'postern-retention-'));
const schema = `ret_${randomBytes(4).toString('hex')}`;
const old = new Date(Date.now() - 40 * 86_400_000).toISOString();

const config = loadConfig({
  DATABASE_URL: POSTGRES ? PG_URL : `sqlite:${join(dir, 'p.db')}`,
  POSTERN_SECRET: randomBytes(32).toString('base64'),
  POSTERN_ADMIN_KEY: `retention-bench-${randomBytes(16).toString('hex')}`,
  POSTERN_DATA_DIR: dir,
  LOG_LEVEL: 'silent',
  POSTERN_RETENTION_DAYS: '30',
});

async function seed() {
  const t = performance.now();
  if (POSTGRES) {
    const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await c.connect();
    await c.query(
      `insert into email_logs (id, tenant_id, factory_id, template_type, to_address, subject, status, provider_message_id, error_code, error_message, attempts, duration_ms, created_at, attempt_log)
       select 'old-' || lpad(g::text, 8, '0'), 'default', 'http', 'Generic', 'u' || g || '@bench.test', 'Your code', 'sent', null, null, null, 1, 5, $1, null from generate_series(1, $2) g`,
      [old, ROWS],
    );
    await c.query('analyze email_logs');
    await c.end();
  } else {
    const db = new Database(join(dir, 'p.db'));
    const ins = db.prepare(
      `insert into email_logs (id, tenant_id, factory_id, template_type, to_address, subject, status, provider_message_id, error_code, error_message, attempts, duration_ms, created_at, attempt_log)
       values (?, 'default', 'http', 'Generic', ?, 'Your code', 'sent', null, null, null, 1, 5, ?, null)`,
    );
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) ins.run(`old-${String(i).padStart(8, '0')}`, `u${i}@bench.test`, old);
    })();
    db.close();
  }
  return (performance.now() - t) / 1000;
}

async function main() {
  // First start migrates; the rows go in while no server holds the database.
  const first = await createPostern(config, {
    housekeeping: false,
    outboxWorker: false,
    ...(POSTGRES ? { schema } : {}),
  });
  await first.close();
  process.stdout.write(
    `retention bench — ${POSTGRES ? 'PostgreSQL' : 'SQLite'}, ${ROWS} email-log rows older than the window, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  process.stdout.write(`  seeded in ${(await seed()).toFixed(1)} s\n`);
  const p = await createPostern(config, { housekeeping: false, outboxWorker: false, ...(POSTGRES ? { schema } : {}) });
  const url = await p.app.listen({ port: 0, host: '127.0.0.1' });
  const key = config.adminKey;
  // Requests while the trim runs: sends (a code into the outbox and the mailbox) and log reads.
  let stop = false;
  const latencies = [];
  const client = async (i) => {
    let n = 0;
    while (!stop) {
      const t = performance.now();
      const path = n++ % 2 ? '/api/email-logs?limit=5' : '/api/verification-codes';
      const r = await fetch(`${url}${path}`, {
        method: path.startsWith('/api/verification-codes') ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: path.startsWith('/api/verification-codes')
          ? JSON.stringify({ email: `live${i}-${n}@bench.test` })
          : undefined,
      });
      await r.arrayBuffer();
      if (r.status >= 300) throw new Error(`${path} answered ${r.status}`);
      latencies.push(performance.now() - t);
    }
  };
  await fetch(`${url}/api/verification-code-policy`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      resendCooldownSeconds: 0,
      maxSendsPerIpPerHour: 1000000,
      maxSendsPerRecipientPerHour: 10000,
    }),
  });
  const clients = Array.from({ length: 4 }, (_, i) => client(i));
  await new Promise((r) => setTimeout(r, 500));
  // The same requests for 3 s without a trim: the machine's own figure to compare with.
  const b0 = latencies.length;
  await new Promise((r) => setTimeout(r, 3000));
  const baseline = latencies.slice(b0).sort((a, b) => a - b);
  const before = latencies.length;
  const t = performance.now();
  const result = await p.services.retention.run();
  const trimMs = performance.now() - t;
  const during = latencies.slice(before);
  stop = true;
  await Promise.all(clients);
  during.sort((a, b) => a - b);
  const at = (xs, f) => xs[Math.min(xs.length - 1, Math.floor(xs.length * f))]?.toFixed(1);
  const q = (f) => at(during, f);
  process.stdout.write(
    `  ${baseline.length} requests in 3 s before the trim: p50 ${at(baseline, 0.5)} ms, p99 ${at(baseline, 0.99)} ms, max ${baseline[baseline.length - 1]?.toFixed(1)} ms\n`,
  );
  process.stdout.write(
    `  trimmed ${result.emailLogs} rows in ${(trimMs / 1000).toFixed(1)} s (${Math.round(result.emailLogs / (trimMs / 1000))} rows/s)\n`,
  );
  process.stdout.write(
    `  ${during.length} requests during the trim: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${during[during.length - 1]?.toFixed(1)} ms; over 100 ms: ${during.filter((x) => x > 100).length}\n`,
  );
  await p.close();
  if (POSTGRES) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists "${schema}" cascade`);
    await c.end();
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`retention bench failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
