import { createHash } from 'node:crypto';
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import type pg from 'pg';
import { tracingActive } from '../lib/tracing.js';
import { recordStatement } from './tracing.js';

/**
 * Queries built once and run many times. The statements on the path of every send and
 * verification (issue a code, check it, record the email, find the user, …) are written with
 * Kysely as everywhere else, but compiled once at start with named slots in place of their
 * values; a run only fills the slots. On SQLite a run also skips Kysely's driver: it executes
 * the cached better-sqlite3 statement at once, synchronously, which is what better-sqlite3 is
 * made for (the driver's connection lock and promise chain cost more than the statement).
 */

const SLOT = '\u0000postern-slot:';

/** `slot('name')` stands for the value of `name`, given at each run. */
export type Slot = (name: string) => never;
const slot: Slot = (name) => `${SLOT}${name}` as never;

export type Params = Readonly<Record<string, unknown>>;

export class PreparedQuery<R> {
  private readonly slots: ReadonlyArray<{ name: string } | { value: unknown }>;
  /** The name of its server-side prepared statement on PostgreSQL (from the SQL text). */
  readonly name: string;

  constructor(
    readonly sql: string,
    readonly rawParameters: readonly unknown[],
  ) {
    this.slots = rawParameters.map((v) =>
      typeof v === 'string' && v.startsWith(SLOT) ? { name: v.slice(SLOT.length) } : { value: v },
    );
    this.name = `postern_${createHash('sha256').update(sql).digest('base64url').slice(0, 22)}`;
  }

  /** The positional parameters for one run. */
  parameters(p: Params): unknown[] {
    return this.slots.map((s) => {
      if (!('name' in s)) return s.value;
      const v = p[s.name];
      if (v === undefined) throw new Error(`prepared query: no value for ${s.name}`);
      return v;
    });
  }

  compiled(p: Params): CompiledQuery<R> {
    return CompiledQuery.raw(this.sql, this.parameters(p)) as CompiledQuery<R>;
  }
}

/** Compiles `build(slot)` once for the database's dialect. */
export function prepare<R>(build: (slot: Slot) => Compilable<R>): PreparedQuery<R> {
  const c = build(slot).compile();
  return new PreparedQuery<R>(c.sql, c.parameters);
}

/**
 * PostgreSQL: one statement made of several prepared ones, each but the last a data-modifying
 * common table expression (`with s0 as (insert …), s1 as (update …) <last>`). PostgreSQL runs
 * them all in the statement's one implicit transaction, so the steps commit together or not
 * at all, in one round trip, without BEGIN and COMMIT. Every step sees the same snapshot (a
 * step does not see the rows another one writes), so the steps must not depend on each
 * other's effects. Each step reads its slots from its own group of values: `chain([['code',
 * insert], ['outbox', outboxInsert]])` is run with `grouped({code: {...}, outbox: {...}})`.
 */
export function chain<R>(
  steps: ReadonlyArray<readonly [string, PreparedQuery<unknown>]>,
  last: readonly [string, PreparedQuery<R>],
): PreparedQuery<R> {
  const parts: string[] = [];
  const parameters: unknown[] = [];
  for (const [group, q] of [...steps, last]) {
    const offset = parameters.length;
    parts.push(q.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`));
    for (const v of q.rawParameters)
      parameters.push(typeof v === 'string' && v.startsWith(SLOT) ? slot(`${group}.${v.slice(SLOT.length)}`) : v);
  }
  const body = parts.pop()!;
  return new PreparedQuery<R>(`with ${parts.map((p, i) => `s${i} as (${p})`).join(', ')} ${body}`, parameters);
}

/** The values of a chained query: `{group: {name: value}}` → `{'group.name': value}`. */
export function grouped(groups: Readonly<Record<string, Params>>): Params {
  const out: Record<string, unknown> = {};
  for (const [g, values] of Object.entries(groups)) for (const [k, v] of Object.entries(values)) out[`${g}.${k}`] = v;
  return out;
}

/** Anything that can run a compiled query: the Kysely instance or a transaction. */
type Executor = Pick<Kysely<never>, 'executeQuery'>;

/**
 * Runs prepared queries synchronously on the SQLite connection, when it is free: while a
 * Kysely transaction is open on it (it holds the one connection across awaits), a statement
 * run here would join that transaction, so callers take the Kysely path instead (which waits
 * for the connection). A synchronous run cannot interleave with anything else.
 */
export class SyncSqlite {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();
  private readonly begin: SqliteDatabase.Statement;
  private readonly commit: SqliteDatabase.Statement;
  private readonly rollback: SqliteDatabase.Statement;

  constructor(private readonly db: SqliteDatabase.Database) {
    this.begin = db.prepare('begin');
    this.commit = db.prepare('commit');
    this.rollback = db.prepare('rollback');
  }

  /** Whether the connection is outside any transaction, so a run here stands alone. */
  get free(): boolean {
    return !this.db.inTransaction;
  }

  private statement(q: PreparedQuery<unknown>): SqliteDatabase.Statement {
    let s = this.statements.get(q.sql);
    if (!s) this.statements.set(q.sql, (s = this.db.prepare(q.sql)));
    return s;
  }

  all<R>(q: PreparedQuery<R>, p: Params): R[] {
    return this.statement(q).all(q.parameters(p)) as R[];
  }

  first<R>(q: PreparedQuery<R>, p: Params): R | undefined {
    return this.statement(q).get(q.parameters(p)) as R | undefined;
  }

  /** Runs a statement that returns no rows; resolves the number of rows it changed. */
  run(q: PreparedQuery<unknown>, p: Params): number {
    return this.statement(q).run(q.parameters(p)).changes;
  }

  /** Runs `body` in one transaction (it must be synchronous: see the class comment). */
  transaction<T>(body: () => T): T {
    this.begin.run();
    try {
      const out = body();
      this.commit.run();
      return out;
    } catch (err) {
      if (this.db.inTransaction) this.rollback.run();
      throw err;
    }
  }
}

/** What runs named statements on PostgreSQL: the pool. */
export type PgQueryable = Pick<pg.Pool, 'query'>;

/**
 * A store's access to its prepared queries: synchronous on a free SQLite connection; on
 * PostgreSQL, outside a transaction, as named prepared statements on the pool (each
 * connection parses and plans a statement once, then only binds and executes it); through
 * Kysely otherwise (inside a Kysely transaction, or without the pool).
 */
export class Prepared {
  constructor(
    readonly kysely: Executor,
    private readonly sqlite?: SyncSqlite,
    private readonly pg?: PgQueryable,
  ) {}

  /** The pool, when a run on `on` may use a named statement. */
  private named(on: Executor): PgQueryable | undefined {
    return on === this.kysely ? this.pg : undefined;
  }

  private async pgRun<R>(
    pool: PgQueryable,
    q: PreparedQuery<R>,
    p: Params,
  ): Promise<pg.QueryResult<R & pg.QueryResultRow>> {
    const query = { name: q.name, text: q.sql, values: q.parameters(p) };
    if (!tracingActive()) return pool.query<R & pg.QueryResultRow>(query);
    // Kysely's log makes the spans of the statements it runs; these bypass it.
    const startedAt = Date.now();
    try {
      const r = await pool.query<R & pg.QueryResultRow>(query);
      recordStatement('postgresql', q.sql, startedAt);
      return r;
    } catch (err) {
      recordStatement('postgresql', q.sql, startedAt, err);
      throw err;
    }
  }

  /** The synchronous runner, when it may be used right now. */
  get sync(): SyncSqlite | undefined {
    return this.sqlite?.free ? this.sqlite : undefined;
  }

  async all<R>(q: PreparedQuery<R>, p: Params, on: Executor = this.kysely): Promise<R[]> {
    const s = on === this.kysely ? this.sync : undefined;
    if (s) return s.all(q, p);
    const pool = this.named(on);
    if (pool) return (await this.pgRun(pool, q, p)).rows;
    return (await on.executeQuery(q.compiled(p))).rows;
  }

  async first<R>(q: PreparedQuery<R>, p: Params, on: Executor = this.kysely): Promise<R | undefined> {
    const s = on === this.kysely ? this.sync : undefined;
    if (s) return s.first(q, p);
    const pool = this.named(on);
    if (pool) return (await this.pgRun(pool, q, p)).rows[0];
    return (await on.executeQuery(q.compiled(p))).rows[0];
  }

  async run(q: PreparedQuery<unknown>, p: Params, on: Executor = this.kysely): Promise<number> {
    const s = on === this.kysely ? this.sync : undefined;
    if (s) return s.run(q, p);
    const pool = this.named(on);
    if (pool) return (await this.pgRun(pool, q, p)).rowCount ?? 0;
    return Number((await on.executeQuery(q.compiled(p))).numAffectedRows ?? 0n);
  }
}
