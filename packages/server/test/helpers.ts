import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createPostern, type CreateOptions, type Postern } from '../src/main.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export type DialectName = 'sqlite' | 'postgres';
export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];

export interface TestPostern extends Postern {
  adminKey: string;
  dataDir: string;
  /** Calls the app in-process with the admin key. */
  api(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}

/**
 * A Postern on a fresh SQLite file or a fresh PostgreSQL schema, with a known admin key.
 * `close()` removes everything it made.
 */
export interface SharedSetup {
  /** Reuse this PostgreSQL schema (and do not drop it on close): several instances on one database. */
  schema?: string;
  secret?: string;
  adminKey?: string;
}

export async function startPostern(dialect: DialectName = 'sqlite', env: Record<string, string> = {}, opts: CreateOptions = {}, shared: SharedSetup = {}): Promise<TestPostern> {
  const dataDir = mkdtempSync(join(tmpdir(), 'postern-test-'));
  const adminKey = shared.adminKey ?? `test-admin-${randomBytes(16).toString('hex')}`;
  const ownSchema = dialect === 'postgres' && !shared.schema;
  const schema = dialect === 'postgres' ? (shared.schema ?? `t_${randomBytes(6).toString('hex')}`) : undefined;
  const config = loadConfig({
    DATABASE_URL: dialect === 'sqlite' ? `sqlite:${join(dataDir, 'postern.db')}` : PG_URL,
    POSTERN_SECRET: shared.secret ?? randomBytes(32).toString('base64'),
    POSTERN_ADMIN_KEY: adminKey,
    POSTERN_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const p = await createPostern(config, { ...opts, ...(schema ? { schema } : {}) });
  await p.app.ready();
  return {
    ...p,
    adminKey,
    dataDir,
    async api(method, url, body, headers = {}) {
      const res = await p.app.inject({
        method: method as never,
        url,
        headers: { authorization: `Bearer ${adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      let parsed: unknown = res.body;
      try {
        parsed = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.statusCode, body: parsed, headers: res.headers };
    },
    async close() {
      await p.close();
      if (schema && ownSchema) await dropSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
