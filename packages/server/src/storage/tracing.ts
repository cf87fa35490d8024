import type SqliteDatabase from 'better-sqlite3';
import type { LogEvent } from 'kysely';
import { errorCode, recordSpan, startSpan, type Attributes } from '../lib/tracing.js';

/**
 * Database spans (lib/tracing.ts), installed by openDatabase only while tracing is on. A
 * span carries the statement's SQL with its placeholders, never the values bound to them.
 */

const operationOf = (sql: string) => /^\s*([a-z]+)/i.exec(sql)?.[1]?.toUpperCase() ?? 'QUERY';
const attributesOf = (system: string, sql: string): Attributes => ({
  'db.system.name': system,
  'db.operation.name': operationOf(sql),
  'db.query.text': sql,
});

const TRACED = new Set(['run', 'get', 'all', 'iterate']);

/**
 * SQLite: every statement runs synchronously through better-sqlite3, whether Kysely's driver
 * or the prepared fast path (prepared.ts) runs it, so spans are made around the statement's
 * own run/get/all/iterate.
 */
export function tracedSqlite(db: SqliteDatabase.Database): SqliteDatabase.Database {
  const traceStatement = (stmt: SqliteDatabase.Statement, sql: string): SqliteDatabase.Statement =>
    new Proxy(stmt, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== 'function') return v;
        const fn = v as (...a: unknown[]) => unknown;
        if (typeof prop !== 'string' || !TRACED.has(prop)) return fn.bind(target);
        return (...args: unknown[]) => {
          const span = startSpan(operationOf(sql), attributesOf('sqlite', sql), 'client');
          try {
            const out = fn.apply(target, args);
            span.end();
            return out;
          } catch (err) {
            span.end(errorCode(err));
            throw err;
          }
        };
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop === 'prepare') return (sql: string) => traceStatement(target.prepare(sql), sql);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A span for a statement that ran from `startedAt` until now (in the caller's context). */
export function recordStatement(system: string, sql: string, startedAt: number, error?: unknown): void {
  recordSpan(operationOf(sql), attributesOf(system, sql), startedAt, error);
}

/** PostgreSQL: Kysely reports each query after it ran (in the caller's context) with its duration. */
export function kyselyQuerySpans(system: string): (event: LogEvent) => void {
  return (event) =>
    recordStatement(
      system,
      event.query.sql,
      Date.now() - event.queryDurationMillis,
      event.level === 'error' ? event.error : undefined,
    );
}
