// Growth benchmark: fills a migrated SQLite database with N users, N verification codes and
// N email-log rows before the server starts, so the scenarios run against a large store.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';

const DAY = 86_400_000;

/**
 * Inserts `n` rows into each of `users`, `verification_codes` and `email_logs` of the
 * default tenant, in one transaction with prepared statements. The database must already be
 * migrated (start the server once). The rows look like real ones: codes are a mix of
 * consumed, invalidated and still active ones spread over the last day, email logs are
 * `sent` records of those codes. Resolves with the seconds it took.
 */
export function seedSqlite(file, n, { tenantId = 'default' } = {}) {
  const t0 = performance.now();
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144'); // 256 MB page cache for the index builds
    const tenant = db.prepare('select id from tenants where id = ?').get(tenantId);
    if (!tenant) throw new Error(`seed: tenant ${tenantId} is missing (was the database migrated?)`);
    const user = db.prepare(
      `insert into users (id, tenant_id, email, email_key, email_verified, name, password_hash, mfa_email, created_at, updated_at)
       values (?, ?, ?, ?, 1, null, null, 0, ?, ?)`,
    );
    const code = db.prepare(
      `insert into verification_codes (id, tenant_id, recipient_key, email, purpose, code_hmac, attempts, max_attempts, status, payload, expires_at, created_at, consumed_at)
       values (?, ?, ?, ?, ?, ?, ?, 5, ?, null, ?, ?, ?)`,
    );
    const log = db.prepare(
      `insert into email_logs (id, tenant_id, factory_id, template_type, to_address, subject, status, provider_message_id, error_code, error_message, attempts, duration_ms, created_at)
       values (?, ?, 'http', 'Generic', ?, 'Your verification code', 'sent', ?, null, null, 1, ?, ?)`,
    );
    const salt = randomBytes(4).toString('hex');
    const start = Date.now() - DAY;
    const statuses = ['consumed', 'invalidated', 'consumed', 'active'];
    const fill = db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const email = `seed${i}-${salt}@seed.test`;
        const at = new Date(start + Math.floor((i / n) * DAY)).toISOString();
        const expires = new Date(start + Math.floor((i / n) * DAY) + 600_000).toISOString();
        const status = statuses[i % statuses.length];
        user.run(`seed_u_${salt}_${i}`, tenantId, email, email, at, at);
        code.run(
          `seed_c_${salt}_${i}`,
          tenantId,
          email,
          email,
          'Generic:api',
          randomBytes(32).toString('base64url'),
          status === 'consumed' ? 1 : 0,
          status,
          expires,
          at,
          status === 'consumed' ? at : null,
        );
        log.run(`seed_l_${salt}_${i}`, tenantId, email, `sink-seed-${i}`, 2 + (i % 7), at);
      }
    });
    fill();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return (performance.now() - t0) / 1000;
}
