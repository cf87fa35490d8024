import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, SECRET_VARIABLES } from '../../src/config.js';
import { SecretFileError, withSecretFiles } from '../../src/lib/secret-env.js';
import { POSTERN_BIN, startServerProcess } from '../../src/testing/server-process.js';

const run = promisify(execFile);

/** Runs the built CLI with only the given environment; resolves its exit code and output. */
async function cli(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [POSTERN_BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('secrets from files (NAME_FILE)', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'postern-secret-files-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every secret variable from its _FILE, trimming one trailing newline', () => {
    const key = `admin-${randomBytes(16).toString('hex')}`;
    const c = loadConfig({
      POSTERN_SECRET_FILE: file('secret', `${'a'.repeat(64)}\n`),
      POSTERN_SECRET_PREVIOUS_FILE: file('previous', `${'b'.repeat(64)},${'c'.repeat(64)}\r\n`),
      POSTERN_ADMIN_KEY_FILE: file('admin', `${key}\n`),
      DATABASE_URL_FILE: file('db', 'postgres://user:pw@db.internal:5432/postern\n'),
      REDIS_URL_FILE: file('redis', 'redis://:pw@cache.internal:6379'),
      POSTERN_BUILTIN_RELAY_FILE: file('relay', 'smtps://u:p@relay.internal:465\n'),
      POSTERN_METRICS_TOKEN_FILE: file('metrics', 'token with inner spaces \n\n'),
    });
    expect(c.secret).toBe('a'.repeat(64));
    expect(c.previousSecrets).toEqual(['b'.repeat(64), 'c'.repeat(64)]);
    expect(c.adminKey).toBe(key);
    expect(c.databaseUrl).toBe('postgres://user:pw@db.internal:5432/postern');
    expect(c.redisUrl).toBe('redis://:pw@cache.internal:6379');
    expect(c.builtinRelay).toBe('smtps://u:p@relay.internal:465');
    // Only one newline goes; the rest of the value is kept as written.
    expect(c.metricsToken).toBe('token with inner spaces \n');
    expect(SECRET_VARIABLES).toHaveLength(7);
  });

  it('validates a value from a file like one from the environment', () => {
    const err = (() => {
      try {
        loadConfig({ REDIS_URL_FILE: file('bad-redis', 'http://nope\n') });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('REDIS_URL');
  });

  it.each([
    [
      'both forms set',
      () => ({ POSTERN_ADMIN_KEY: 'x'.repeat(30), POSTERN_ADMIN_KEY_FILE: file('both', 'y'.repeat(30)) }),
      'POSTERN_ADMIN_KEY',
      /set either POSTERN_ADMIN_KEY or POSTERN_ADMIN_KEY_FILE, not both/,
    ],
    [
      'a missing file',
      () => ({ POSTERN_SECRET_FILE: join(dir, 'absent') }),
      'POSTERN_SECRET_FILE',
      /cannot read .*absent \(no such file\)/,
    ],
    ['a directory', () => ({ DATABASE_URL_FILE: dir }), 'DATABASE_URL_FILE', /cannot read .* \(it is a directory\)/],
    [
      'an empty file',
      () => ({ POSTERN_METRICS_TOKEN_FILE: file('empty', '\n') }),
      'POSTERN_METRICS_TOKEN_FILE',
      /is empty/,
    ],
  ])('stops with a clear error for %s', (_what, env, variable, message) => {
    let err: unknown;
    try {
      loadConfig(env());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as Error).message).toMatch(message);
  });

  it('names a file it may not read', () => {
    // Tests run as root here, which reads any file: the read itself is handed the refusal.
    const refuse = () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    expect(() => withSecretFiles({ POSTERN_ADMIN_KEY_FILE: '/run/secrets/admin' }, SECRET_VARIABLES, refuse)).toThrow(
      new SecretFileError('POSTERN_ADMIN_KEY_FILE', 'cannot read /run/secrets/admin (permission denied)'),
    );
  });

  it('the server starts with its secrets from files, and refuses to start when both forms are set', async () => {
    const key = `file-admin-${randomBytes(16).toString('hex')}`;
    const env = {
      POSTERN_SECRET_FILE: file('s2', `${randomBytes(32).toString('base64')}\n`),
      POSTERN_ADMIN_KEY_FILE: file('k2', `${key}\n`),
      LOG_LEVEL: 'warn',
    };
    const server = await startServerProcess(env);
    try {
      const ok = await fetch(new URL('/api/tenants', server.url), { headers: { authorization: `Bearer ${key}` } });
      // The key file ends in a newline: the key works only because it was trimmed.
      expect(ok.status).toBe(200);
    } finally {
      await server.stop();
    }
    const clash = await cli(['start'], {
      ...env,
      POSTERN_ADMIN_KEY: key,
      DATABASE_URL: `sqlite:${join(dir, 'clash.db')}`,
      PORT: '0',
    });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(
      'Configuration error: POSTERN_ADMIN_KEY: set either POSTERN_ADMIN_KEY or POSTERN_ADMIN_KEY_FILE, not both',
    );
    expect(clash.stderr).not.toContain(key);
    expect(clash.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('postern migrate --status', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'postern-migrate-status-'));
    mkdirSync(join(dir, 'data'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists pending migrations, applies nothing, then lists them applied after migrate', async () => {
    const dbFile = join(dir, 'data', 'p.db');
    // The database URL from a file too.
    const env = { DATABASE_URL_FILE: join(dir, 'db-url') };
    writeFileSync(env.DATABASE_URL_FILE, `sqlite:${dbFile}\n`);
    const before = await cli(['migrate', '--status'], env);
    expect(before.code, before.stderr).toBe(0);
    const pending = before.stdout.split('\n').filter((l) => l.startsWith('pending  '));
    expect(pending.length).toBeGreaterThanOrEqual(6);
    expect(pending[0]).toBe('pending  001_foundation');
    expect(before.stdout).toContain(`${pending.length} pending: run \`postern migrate\``);
    // --status changed nothing.
    expect((await cli(['migrate', '--status'], env)).stdout).toBe(before.stdout);

    const applied = await cli(['migrate'], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Applied: 001_foundation');
    const after = await cli(['migrate', '--status'], env);
    expect(after.code).toBe(0);
    const lines = after.stdout.split('\n').filter((l) => l.startsWith('applied  '));
    expect(lines).toHaveLength(pending.length);
    for (const l of lines) expect(l).toMatch(/^applied {2}\d{3}_\w+ +\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(after.stdout).toContain('The database is up to date.');
    expect(after.stdout).not.toContain('pending');
  });

  it('on PostgreSQL, migrates a schema although another schema of the database has its tables', async () => {
    const pg = await import('pg');
    const { PG_URL } = await import('../helpers.js');
    const [a, b] = [`ma_${randomBytes(5).toString('hex')}`, `mb_${randomBytes(5).toString('hex')}`];
    const client = new pg.default.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      for (const s of [a, b]) await client.query(`create schema ${s}`);
      const url = (s: string) => `${PG_URL}?options=${encodeURIComponent(`-c search_path=${s}`)}`;
      expect((await cli(['migrate'], { DATABASE_URL: url(a) })).code).toBe(0);
      const second = await cli(['migrate'], { DATABASE_URL: url(b) });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('Applied: 001_foundation');
      const tables = await client.query<{ table_schema: string }>(
        `select table_schema from information_schema.tables where table_name = 'kysely_migration' and table_schema in ($1, $2) order by 1`,
        [a, b],
      );
      expect(tables.rows.map((r) => r.table_schema)).toEqual([a, b]);
    } finally {
      for (const s of [a, b]) await client.query(`drop schema if exists ${s} cascade`);
      await client.end();
    }
  });

  it('on PostgreSQL, names migrations that a newer version applied', async () => {
    const pg = await import('pg');
    const { PG_URL } = await import('../helpers.js');
    const schema = `ms_${randomBytes(5).toString('hex')}`;
    const client = new pg.default.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`create schema ${schema}`);
      const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      expect((await cli(['migrate'], { DATABASE_URL: url })).code).toBe(0);
      await client.query(
        `insert into ${schema}.kysely_migration (name, timestamp) values ('999_from_the_future', '2030-01-01T00:00:00.000Z')`,
      );
      const status = await cli(['migrate', '--status'], { DATABASE_URL: url });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain('applied  001_foundation');
      expect(status.stdout).toContain('unknown  999_from_the_future  (applied by a newer version of Postern)');
    } finally {
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  });
});
