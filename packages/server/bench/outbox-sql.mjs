// The outbox's share of a send in SQLite alone (issue 16), without HTTP, templates or
// connectors: per send, the statements a code send runs on Postern's schema (migrated by the
// CLI into a temporary file, WAL and synchronous=NORMAL as the server sets them), with and
// without the outbox, and with variants of the outbox's indexes. The statements mirror
// storage/stores/codes.ts (invalidate, insert), outbox.ts (insert, finish) and email-logs.ts
// (insert) with values of a code send's size; they are written out here, so a change to those
// stores has to be carried over by hand.
//
//   node packages/server/bench/outbox-sql.mjs [--sends=N] [--rounds=N]   (after `npm run build`: it migrates with the built CLI)
//
// Variants: `off` (the code in its transaction, then the email log: no outbox), `on` (the
// code and its outbox row in one transaction, then the email log and the row's final state
// in another), `on, groups of N` (the final writes of N sends in one transaction: the group
// commit that SQLite's outbox store makes of the deliveries ending in one event-loop turn),
// `on, indexes before 017` (the due, lease and finished indexes over every row, as migration
// 007 made them), `on, delete when sent` (the row deleted instead of updated once sent).
// Prints CPU µs per send, the median of the rounds.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const arg = (name, dflt) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
const SENDS = arg('sends', 20_000);
const ROUNDS = arg('rounds', 3);

const dir = mkdtempSync(join(tmpdir(), 'postern-outbox-sql-'));
const schema = join(dir, 'schema.db');
execFileSync(process.execPath, [new URL('../bin/postern.js', import.meta.url).pathname, 'migrate'], {
  env: { PATH: process.env.PATH, DATABASE_URL: `sqlite:${schema}`, POSTERN_DATA_DIR: dir, POSTERN_SECRET: randomBytes(32).toString('base64') },
  stdio: 'ignore',
});

const VARIANTS = {
  off: { outbox: false },
  on: { outbox: true },
  'on, groups of 2': { outbox: true, batch: 2 },
  'on, groups of 8': { outbox: true, batch: 8 },
  'on, indexes before 017': {
    outbox: true,
    setup: `DROP INDEX outbox_due; DROP INDEX outbox_lease; DROP INDEX outbox_finished;
      CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
      CREATE INDEX outbox_lease ON outbox (state, lease_until);
      CREATE INDEX outbox_finished ON outbox (finished_at);`,
  },
  'on, delete when sent': { outbox: true, deleteSent: true },
};

function run(name, v) {
  const file = join(dir, `run.db`);
  for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
  copyFileSync(schema, file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 10000');
  if (v.setup) db.exec(v.setup);
  const invalidate = db.prepare(`update verification_codes set status = 'replaced' where tenant_id = ? and recipient_key = ? and purpose = ? and status = 'pending'`);
  const insertCode = db.prepare(
    `insert into verification_codes (id, tenant_id, recipient_key, email, purpose, code_hmac, attempts, max_attempts, status, payload, expires_at, created_at) values (?, ?, ?, ?, ?, ?, 0, 5, 'pending', null, ?, ?)`,
  );
  const insertRow = db.prepare(
    `insert into outbox (id, tenant_id, state, source, template_type, to_address, payload, guard_kind, guard_id, attempts, lease_owner, lease_until, next_attempt_at, not_after, created_at, updated_at) values (?, ?, 'sending', 'experience', 'sign-in', ?, ?, 'code', ?, 0, ?, ?, ?, ?, ?, ?)`,
  );
  const insertLog = db.prepare(
    `insert into email_logs (id, tenant_id, factory_id, template_type, to_address, subject, status, provider_message_id, attempts, duration_ms, created_at, attempt_log, source) values (?, ?, 'http', 'sign-in', ?, 'Your sign-in code', 'sent', ?, 1, 3, ?, '[{"attempt":1}]', 'experience')`,
  );
  const finish = v.deleteSent
    ? db.prepare(`delete from outbox where id = ? and state = 'sending' and lease_owner = ?`)
    : db.prepare(
        `update outbox set state = 'sent', attempts = 1, last_error_code = null, last_error_message = null, provider_message_id = ?, lease_owner = null, lease_until = null, updated_at = ?, finished_at = ? where id = ? and state = 'sending' and lease_owner = ?`,
      );
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  const inTransaction = (f) => {
    begin.run();
    f();
    commit.run();
  };
  // An encrypted payload of the size a sign-in code's request has.
  const payload = `v1.0a1b2c3d.${randomBytes(700).toString('base64url')}`;
  let seq = 0;
  const id = () => `${Date.now().toString(36)}${(seq++).toString(36).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
  const send = () => {
    const at = new Date().toISOString();
    const code = id();
    const email = `user${seq}@bench.test`;
    inTransaction(() => {
      invalidate.run('default', email, 'sign-in');
      insertCode.run(code, 'default', email, email, 'sign-in', randomBytes(32).toString('hex'), at, at);
      if (v.outbox) insertRow.run(code, 'default', email, payload, code, 'instance', at, at, at, at, at);
    });
    const log = [id(), 'default', email, `provider-${code}`, at];
    const end = () => {
      insertLog.run(...log);
      if (v.deleteSent) finish.run(code, 'instance');
      else finish.run(`provider-${code}`, at, at, code, 'instance');
    };
    if (!v.outbox) insertLog.run(...log);
    else if (!v.batch) inTransaction(end);
    else {
      ended.push(end);
      if (ended.length >= v.batch) inTransaction(() => ended.splice(0).forEach((f) => f()));
    }
  };
  const ended = [];
  for (let i = 0; i < 3000; i++) send();
  const c0 = process.cpuUsage();
  for (let i = 0; i < SENDS; i++) send();
  const c = process.cpuUsage(c0);
  db.close();
  return (c.user + c.system) / SENDS;
}

const results = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) for (const [name, v] of Object.entries(VARIANTS)) results[name].push(run(name, v));
rmSync(dir, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const off = median(results.off);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  process.stdout.write(`${name.padEnd(24)} ${m.toFixed(1).padStart(6)} µs CPU per send (rounds: ${xs.map((x) => x.toFixed(0)).join(', ')})${name === 'off' ? '' : `, ${m >= off ? '+' : '−'}${Math.abs(m - off).toFixed(1)} µs against off`}\n`);
}
