import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import { SyncSqlite } from './prepared.js';
import { startCheckpointer } from './checkpointer.js';
import * as m001 from './migrations/001_foundation.js';
import * as m002 from './migrations/002_email.js';
import * as m003 from './migrations/003_codes.js';
import * as m004 from './migrations/004_identity.js';
import * as m005 from './migrations/005_deliverability.js';
import * as m006 from './migrations/006_housekeeping.js';
import * as m007 from './migrations/007_outbox.js';
import * as m008 from './migrations/008_delivery.js';

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

/** Opens `sqlite:PATH` (WAL) or `postgres://…`. */
export function openDatabase(url: string, opts: OpenOptions = {}): Db {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
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
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, dialect: 'postgres', pool, close: () => kysely.destroy() };
}

export async function migrate(db: Db, schema?: string): Promise<string[]> {
  if (db.dialect === 'postgres' && schema) {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db.kysely);
  }
  // Kysely looks for its own tables in every schema of the database; named, they are found
  // only in ours (another schema's, e.g. another deployment's, no longer counts as ours).
  const own = db.dialect === 'postgres' ? (schema ?? (await sql<{ s: string }>`select current_schema() as s`.execute(db.kysely)).rows[0]?.s) : undefined;
  const migrator = new Migrator({ db: db.kysely, provider: new StaticMigrations(), ...(own ? { migrationTableSchema: own } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
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
