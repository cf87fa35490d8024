import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startWebhookPeer, type WebhookPeer } from '../../src/testing/peers/webhook.js';
import { startServerProcess, type ServerProcess } from '../../src/testing/server-process.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number; message?: string };
}
interface Export {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: OtlpValue }> };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

const valueOf = (v: OtlpValue) =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
const attrs = (a: Array<{ key: string; value: OtlpValue }> = []) =>
  Object.fromEntries(a.map((x) => [x.key, valueOf(x.value)]));

/** An OTLP/HTTP receiver (the JSON encoding) on 127.0.0.1 that keeps every export it gets. */
async function startOtlpReceiver() {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (
        req.method === 'POST' &&
        req.url === '/v1/traces' &&
        (req.headers['content-type'] ?? '').startsWith('application/json')
      ) {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    exports: () => bodies.map((b) => JSON.parse(b) as Export),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('OpenTelemetry tracing', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let peer: WebhookPeer;
  let server: ServerProcess;
  const adminKey = `ops-trace-${randomBytes(16).toString('hex')}`;
  const email = `traced.${randomBytes(4).toString('hex')}@example.test`;
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // The first delivery attempt meets a 503 (retried), the second is accepted.
    peer = await startWebhookPeer({ script: [503] });
    server = await startServerProcess({
      POSTERN_SECRET: randomBytes(32).toString('base64'),
      POSTERN_ADMIN_KEY: adminKey,
      POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await peer?.close();
    await receiver?.close();
  });

  it('exports spans for the request, its statements, the rendering and each delivery attempt, without the code or the address', async () => {
    const call = async (path: string, body: unknown, method = 'POST', headers: Record<string, string> = {}) => {
      const res = await fetch(new URL(path, server.url), {
        method,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, string>) : undefined };
    };
    expect(
      (await call('/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url } }, 'PUT')).status,
    ).toBe(200);
    const sent = await call('/api/verification-codes', { email }, 'POST', {
      traceparent: `00-${traceId}-${parentId}-01`,
    });
    expect(sent.status).toBe(201);
    const code = (peer.received.at(-1)!.body as { payload: { code: string } }).payload.code;
    expect(
      (await call('/api/verification-codes/verify', { verificationId: sent.body!.verificationId, email, code })).status,
    ).toBe(204);
    // A clean stop exports what is still buffered.
    expect(await server.stop()).toBe(0);

    const exports = receiver.exports();
    expect(exports.length).toBeGreaterThan(0);
    const resource = attrs(exports[0]!.resourceSpans[0]!.resource.attributes);
    expect(resource['service.name']).toBe('postern');
    const spans = exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const descendsFrom = (s: OtlpSpan, ancestor: OtlpSpan) => {
      for (
        let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
        p;
        p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined
      ) {
        if (p.spanId === ancestor.spanId) return true;
      }
      return false;
    };

    // The request span continues the caller's trace (traceparent) and is a server span.
    const request = spans.find((s) => s.name === 'POST /api/verification-codes')!;
    expect(request).toBeDefined();
    expect(request.traceId).toBe(traceId);
    expect(request.parentSpanId).toBe(parentId);
    expect(request.kind).toBe(2);
    expect(attrs(request.attributes)).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/verification-codes',
      'http.response.status_code': 201,
      'postern.tenant_id': 'default',
    });

    const inRequest = spans.filter((s) => descendsFrom(s, request));
    const render = inRequest.filter((s) => s.name === 'postern.template.render');
    expect(render).toHaveLength(1);
    expect(attrs(render[0]!.attributes)).toMatchObject({
      'postern.template.type': 'Generic',
      'postern.connector.factory_id': 'http',
    });

    const attempts = inRequest
      .filter((s) => s.name === 'postern.delivery.attempt')
      .map((s) => ({ ...attrs(s.attributes), status: s.status?.code ?? 0 }));
    expect(attempts).toEqual([
      {
        'postern.connector.factory_id': 'http',
        'postern.delivery.attempt': 1,
        'postern.tenant_id': 'default',
        'postern.delivery.outcome': 'connector.unavailable',
        'postern.delivery.retryable': true,
        status: 2,
      },
      {
        'postern.connector.factory_id': 'http',
        'postern.delivery.attempt': 2,
        'postern.tenant_id': 'default',
        'postern.delivery.outcome': 'ok',
        status: 0,
      },
    ]);

    const statements = inRequest.filter((s) => attrs(s.attributes)['db.system.name'] === 'sqlite');
    expect(statements.length).toBeGreaterThan(2);
    for (const st of statements) {
      const a = attrs(st.attributes);
      expect(st.kind).toBe(3); // client
      expect(typeof a['db.query.text']).toBe('string');
      expect(st.name).toBe(a['db.operation.name']);
    }
    expect(statements.some((s) => s.name === 'INSERT')).toBe(true);

    const verify = spans.find((s) => s.name === 'POST /api/verification-codes/verify')!;
    expect(attrs(verify.attributes)['http.response.status_code']).toBe(204);
    expect(verify.traceId).not.toBe(traceId);
    expect(
      spans.filter((s) => descendsFrom(s, verify) && attrs(s.attributes)['db.system.name'] === 'sqlite').length,
    ).toBeGreaterThan(0);

    // Nothing exported carries the code, the address or the admin key.
    const all = receiver.bodies.join('\n');
    for (const secret of [email, email.split('@')[0]!, adminKey]) expect(all.includes(secret)).toBe(false);
    for (const s of spans) {
      for (const v of Object.values(attrs(s.attributes)))
        expect(String(v)).not.toMatch(new RegExp(`(^|\\D)${code}(\\D|$)`));
      expect(s.name).not.toContain(code);
    }
  });
});

describe('OpenTelemetry tracing on PostgreSQL', () => {
  it('makes a client span for each statement, with its SQL and never its values', async () => {
    const pg = await import('pg');
    const { PG_URL } = await import('../helpers.js');
    const schema = `otel_${randomBytes(5).toString('hex')}`;
    const admin = new pg.default.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const receiver = await startOtlpReceiver();
    const adminKey = `ops-trace-pg-${randomBytes(16).toString('hex')}`;
    const email = `pg.${randomBytes(4).toString('hex')}@example.test`;
    try {
      const server = await startServerProcess({
        DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
        POSTERN_SECRET: randomBytes(32).toString('base64'),
        POSTERN_ADMIN_KEY: adminKey,
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'postern-pg-test',
      });
      try {
        // The built-in service captures the message into the mailbox.
        const res = await fetch(new URL('/api/verification-codes', server.url), {
          method: 'POST',
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ email }),
        });
        expect(res.status).toBe(201);
      } finally {
        expect(await server.stop()).toBe(0);
      }
      const exports = receiver.exports();
      expect(attrs(exports[0]!.resourceSpans[0]!.resource.attributes)['service.name']).toBe('postern-pg-test');
      const spans = exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
      const request = spans.find((s) => s.name === 'POST /api/verification-codes')!;
      const statements = spans.filter(
        (s) => s.traceId === request.traceId && attrs(s.attributes)['db.system.name'] === 'postgresql',
      );
      expect(statements.length).toBeGreaterThan(2);
      expect(statements.every((s) => s.kind === 3 && typeof attrs(s.attributes)['db.query.text'] === 'string')).toBe(
        true,
      );
      expect(statements.some((s) => /\$1/.test(String(attrs(s.attributes)['db.query.text'])))).toBe(true);
      // The statements run as named prepared statements (not through Kysely) have spans too.
      const texts = statements.map((s) => String(attrs(s.attributes)['db.query.text']));
      expect(texts.some((t) => t.includes('"verification_codes"') && t.includes('"outbox"'))).toBe(true);
      expect(texts.some((t) => t.includes('"email_logs"'))).toBe(true);
      const attempt = spans.find((s) => s.name === 'postern.delivery.attempt' && s.traceId === request.traceId)!;
      expect(attrs(attempt.attributes)).toMatchObject({
        'postern.connector.factory_id': 'builtin',
        'postern.delivery.outcome': 'captured',
      });
      const all = receiver.bodies.join('\n');
      expect(all.includes(email)).toBe(false);
      expect(all.includes(adminKey)).toBe(false);
    } finally {
      await receiver.close();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  });
});

describe('OpenTelemetry tracing with a collector that never answers', () => {
  it('still stops cleanly on SIGTERM', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer(() => undefined); // accepts, reads, never answers
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const server = await startServerProcess({
        POSTERN_SECRET: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      });
      expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
      expect(await server.stop()).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
