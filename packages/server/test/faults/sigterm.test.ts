import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const BIN = fileURLToPath(new URL('../../bin/postern.js', import.meta.url));

/** A webhook receiver that answers every request after `delayMs`. */
async function slowReceiver(delayMs: number) {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `slow_${received}` })), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received: () => received,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** One request on a fresh connection (no keep-alive reuse), so that "refused" means refused. */
function request(base: string, method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(new URL(path, base), { method, agent: false, headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('SIGTERM with sends in flight', () => {
  let dir: string;
  let child: ChildProcess;
  let receiver: Awaited<ReturnType<typeof slowReceiver>>;
  let base = '';
  let output = '';
  const key = `sigterm-admin-${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postern-sigterm-'));
    receiver = await slowReceiver(1000);
    child = spawn(process.execPath, [BIN, 'start'], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dir, 'postern.db')}`,
        POSTERN_SECRET: randomBytes(32).toString('base64'),
        POSTERN_ADMIN_KEY: key,
        POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    for (let i = 0; i < 400 && !/Postern is listening on (\S+)/.test(output); i++) await new Promise((r) => setTimeout(r, 25));
    const m = /Postern is listening on (\S+)/.exec(output);
    expect(m, output).not.toBeNull();
    base = m![1]!;
  }, 20_000);
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finishes in-flight sends, refuses new connections, exits 0, and logged every finished send', async () => {
    expect((await request(base, 'PUT', '/api/connectors/email', key, { factoryId: 'http', config: { endpoint: receiver.url } })).status).toBe(200);
    expect((await request(base, 'PATCH', '/api/verification-code-policy', key, { resendCooldownSeconds: 0 })).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const sends = Array.from({ length: 3 }, (_, i) => request(base, 'POST', '/api/verification-codes', key, { email: `inflight${i}@example.test` }));
    // Wait until every send has reached the slow receiver: they are in flight now.
    for (let i = 0; i < 400 && receiver.received() < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(receiver.received()).toBe(3);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    // The listener closes first: a new connection is refused while the sends still run.
    let refused: unknown;
    for (let i = 0; i < 50 && !refused; i++) {
      try {
        await request(base, 'GET', '/healthz', key);
        await new Promise((r) => setTimeout(r, 10));
      } catch (err) {
        refused = err;
      }
    }
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain((refused as NodeJS.ErrnoException | undefined)?.code);

    const results = await Promise.all(sends);
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const code = await exited;
    expect(code, output).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);

    const db = new Database(join(dir, 'postern.db'), { readonly: true });
    try {
      const rows = db.prepare(`select to_address as "to", status from email_logs where to_address like 'inflight%' order by to_address`).all() as Array<{ to: string; status: string }>;
      expect(rows).toEqual([0, 1, 2].map((i) => ({ to: `inflight${i}@example.test`, status: 'sent' })));
    } finally {
      db.close();
    }
  }, 20_000);
});
