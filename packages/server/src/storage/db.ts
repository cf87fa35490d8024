import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import { SyncSqlite } from './prepared.js';
import { startCheckpointer } from './checkpointer.js';
import { tracingActive } from '../lib/tracing.js';
import { kyselyQuerySpans, tracedSqlite } from './tracing.js';
import * as m001 from './migrations/001_foundation.js';
import * as m002 from './migrations/002_email.js';
import * as m003 from './migrations/003_codes.js';
import * as m004 from './migrations/004_identity.js';
import * as m005 from './migrations/005_deliverability.js';
import * as m006 from './migrations/006_housekeeping.js';
import * as m007 from './migrations/007_outbox.js';
import * as m008 from './migrations/008_delivery.js';
import * as m008e from './migrations/008_provider_events.js';
import * as m009 from './migrations/009_oidc.js';
import * as m010 from './migrations/010_integrations.js';
import * as m011 from './migrations/011_email_log_source.js';
import * as m012 from './migrations/012_smtp_credentials.js';
import * as m013 from './migrations/013_event_webhooks.js';
import * as m015 from './migrations/015_account_security.js';
import * as m016 from './migrations/016_rs256.js';
import * as m017 from './migrations/017_outbox_partial_indexes.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** The PostgreSQL pool (shared rate limits use it); undefined on SQLite. */
  pool?: pg.Pool;
  /** Synchronous runs of prepared queries on SQLite (see prepared.ts); undefined on PostgreSQL. */
  sqlite?: SyncSqlite;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, Migration> = {
  '001_foundation': m001,
  '002_email': m002,
  '003_codes': m003,
  '004_identity': m004,
  '005_deliverability': m005,
  '006_housekeeping': m006,
  '007_outbox': m007,
  '008_delivery': m008,
  '008_provider_events': m008e,
  '009_oidc': m009,
  '010_integrations': m010,
  '011_email_log_source': m011,
  '012_smtp_credentials': m012,
  '013_event_webhooks': m013,
  '015_account_security': m015,
  '016_rs256': m016,
  '017_outbox_partial_indexes': m017,
};

class StaticMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export interface OpenOptions {
  /** PostgreSQL schema to use (created if missing); tests give each file its own. */
  schema?: string;
  /** SQLite: checkpoint the WAL on a worker thread (default true; short CLI runs skip it). */
  checkpointer?: boolean;
}

/**
 * The database holds hashed keys, encrypted secrets and personal data: like the secret file
 * it is created with mode 0600 (only the service's user can read it).
 */
function createPrivate(path: string): void {
  if (existsSync(path)) return;
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function tighten(path: string): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch {
    // Missing (no WAL yet), or not ours to change: the file keeps what it has.
  }
}

/** Opens `sqlite:PATH` (WAL) or `postgres://…`. */
export function openDatabase(url: string, opts: OpenOptions = {}): Db {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      createPrivate(path);
    }
    const opened = new SqliteDatabase(path);
    const sqlite = tracingActive() ? tracedSqlite(opened) : opened;
    sqlite.pragma('journal_mode = WAL');
    // SQLite gives -wal and -shm the database file's mode; files from older versions are tightened.
    if (path !== ':memory:') for (const f of [path, `${path}-wal`, `${path}-shm`]) tighten(f);
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // Checkpoints run on a worker (checkpointer.ts); SQLite's own, inside a commit, only
    // when the WAL reaches 10 000 pages (~40 MB) regardless (1 000 by default).
    sqlite.pragma('wal_autocheckpoint = 10000');
    const checkpointer = path === ':memory:' || opts.checkpointer === false ? undefined : startCheckpointer(path, createRequire(import.meta.url).resolve('better-sqlite3'));
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return {
      kysely,
      dialect: 'sqlite',
      sqlite: new SyncSqlite(sqlite),
      async close() {
        await checkpointer?.close();
        await kysely.destroy();
      },
    };
  }
  // pg is loaded only for PostgreSQL (synchronously: it is CommonJS), not by SQLite installs.
  const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
  const pool = new Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // A client that loses its server must not crash the process: idle ones report to the
  // pool, checked-out ones (mid-transaction) to themselves; the query in flight fails
  // instead, and the error handler answers 503.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const kysely = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    ...(tracingActive() ? { log: kyselyQuerySpans('postgresql') } : {}),
  });
  return { kysely, dialect: 'postgres', pool, close: () => kysely.destroy() };
}

/**
 * Kysely's migrator looks for its own tables in every schema it can see unless it is told
 * which one: on a PostgreSQL database where another schema holds them (another Postern, a
 * test), it would take them for ours. So it is told: the given schema, else the first one on
 * the connection's search_path, which is where the tables have always been created.
 */
async function migrator(db: Db, schema?: string): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (db.dialect === 'postgres') {
    migrationTableSchema = schema ?? (await sql<{ s: string | null }>`select current_schema() as s`.execute(db.kysely)).rows[0]?.s ?? undefined;
  }
  return new Migrator({ db: db.kysely, provider: new StaticMigrations(), ...(migrationTableSchema ? { migrationTableSchema } : {}) });
}

export async function migrate(db: Db, schema?: string): Promise<string[]> {
  if (db.dialect === 'postgres' && schema) {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db.kysely);
  }
  const m = await migrator(db, schema);
  const { error, results } = await m.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export interface MigrationState {
  name: string;
  /** When it ran; undefined while it is pending. */
  executedAt: Date | undefined;
}

/**
 * Every migration this version knows, applied or pending, in order; names the database has
 * applied but this version does not know (a newer release ran against it) come last.
 */
export async function migrationStatus(db: Db): Promise<{ known: MigrationState[]; unknown: string[] }> {
  const known = (await (await migrator(db)).getMigrations()).map((m) => ({ name: m.name, executedAt: m.executedAt }));
  const applied = known.some((m) => m.executedAt)
    ? await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.kysely)
    : { rows: [] };
  const unknown = applied.rows.map((r) => r.name).filter((n) => !(n in MIGRATIONS));
  return { known, unknown };
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}

/**
 * Kysely's SQLite driver prepares every query anew; the same few statements run on every
 * send, so prepared statements are kept by their SQL text (bounded). Reuse is safe:
 * better-sqlite3 runs a statement to completion synchronously, and nothing here iterates.
 */
function withStatementCache(db: SqliteDatabase.Database, max = 500): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (sql: string) => {
          let stmt = cache.get(sql);
          if (!stmt) {
            stmt = target.prepare(sql);
            if (cache.size >= max) cache.delete(cache.keys().next().value!);
            cache.set(sql, stmt);
          }
          return stmt;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
