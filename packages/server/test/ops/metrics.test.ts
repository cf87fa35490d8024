import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from '../helpers.js';
import { startWebhookPeer, type WebhookPeer } from '../../src/testing/peers/webhook.js';
import { until } from '../faults/spawn.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, one sample a line (comments skipped). */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('/metrics over a socket', () => {
  let p: TestPostern;
  let peer: WebhookPeer;
  let base: string;
  const email = 'metrics.person@example.test';

  beforeAll(async () => {
    peer = await startWebhookPeer({ script: [401] });
    p = await startPostern('sqlite', { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
    base = await p.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await p?.close();
    await peer?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, base), {
      method,
      headers: {
        authorization: `Bearer ${p.adminKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  it('exports request durations by route template and status, process metrics, sends and verifications by outcome', async () => {
    expect((await call('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 })).status).toBe(200);
    expect(
      (await call('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url } })).status,
    ).toBe(200);
    expect((await call('POST', '/api/verification-codes', { email })).status).toBe(502);
    const sent = await call('POST', '/api/verification-codes', { email });
    expect(sent.status).toBe(201);
    const code = (peer.received.at(-1)!.body as { payload: { code: string } }).payload.code;
    const wrong = code === '000000' ? '111111' : '000000';
    expect(
      (
        await call('POST', '/api/verification-codes/verify', {
          verificationId: sent.body!.verificationId,
          email,
          code: wrong,
        })
      ).status,
    ).toBe(400);
    expect(
      (await call('POST', '/api/verification-codes/verify', { verificationId: sent.body!.verificationId, email, code }))
        .status,
    ).toBe(204);
    expect((await call('GET', `/api/connectors/${'x'.repeat(8)}`)).status).toBe(404);

    const res = await fetch(new URL('/metrics', base));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const s = parse(text);
    const count = (labels: Record<string, string>) =>
      find(s, 'postern_http_request_duration_seconds_count', labels)[0]?.value;
    expect(count({ method: 'POST', route: '/api/verification-codes', status: '502' })).toBe(1);
    expect(count({ method: 'POST', route: '/api/verification-codes', status: '201' })).toBe(1);
    expect(count({ method: 'POST', route: '/api/verification-codes/verify', status: '400' })).toBe(1);
    expect(count({ method: 'POST', route: '/api/verification-codes/verify', status: '204' })).toBe(1);
    // The template, not the path that was asked for.
    expect(count({ method: 'GET', route: '/api/connectors/:id', status: '404' })).toBe(1);
    expect(
      find(s, 'postern_http_request_duration_seconds_bucket', {
        route: '/api/verification-codes',
        status: '201',
        le: '+Inf',
      })[0]?.value,
    ).toBe(1);
    expect(text).toContain('# TYPE postern_http_request_duration_seconds histogram');

    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(find(s, name)[0]?.value, name).toBeGreaterThan(0);
    }
    expect(find(s, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);

    expect(find(s, 'postern_email_sends_total', { factory: 'http', status: 'sent' })[0]?.value).toBe(1);
    expect(find(s, 'postern_email_sends_total', { factory: 'http', status: 'failed' })[0]?.value).toBe(1);
    expect(
      find(s, 'postern_email_send_failures_total', { factory: 'http', code: 'connector.auth_failed' })[0]?.value,
    ).toBe(1);
    expect(find(s, 'postern_verifications_total', { outcome: 'ok' })[0]?.value).toBe(1);
    expect(find(s, 'postern_verifications_total', { outcome: 'mismatch' })[0]?.value).toBe(1);

    expect(text).not.toContain(email);
    expect(text).not.toContain('metrics.person');
    expect(new RegExp(`(^|\\D)${code}(\\D|$)`).test(text.replace(/^#.*$/gm, ''))).toBe(false);
  });

  it('takes gauges that parts register later, read at scrape time; a failing one says so', async () => {
    let depth = 3;
    p.services.metrics.gauge({
      name: 'postern_test_queue_depth',
      help: 'A registered gauge.',
      labelNames: ['status'] as const,
      collect: async () => [
        { labels: { status: 'queued' }, value: depth },
        { labels: { status: 'failed' }, value: 1 },
      ],
    });
    p.services.metrics.gauge({
      name: 'postern_test_broken_states',
      help: 'A labelled gauge whose source is down.',
      labelNames: ['state'] as const,
      collect: async () => {
        throw new Error('source down');
      },
    });
    p.services.metrics.gauge({
      name: 'postern_test_broken',
      help: 'A gauge whose source is down.',
      collect: () => {
        throw new Error('source down');
      },
    });
    const scrape = async () => parse(await (await fetch(new URL('/metrics', base))).text());
    let s = await scrape();
    expect(find(s, 'postern_test_queue_depth', { status: 'queued' })[0]?.value).toBe(3);
    expect(find(s, 'postern_test_queue_depth', { status: 'failed' })[0]?.value).toBe(1);
    expect(find(s, 'postern_test_broken_states')).toEqual([]);
    expect(find(s, 'postern_test_broken')[0]?.value).toBeNaN();
    depth = 0;
    s = await scrape();
    expect(find(s, 'postern_test_queue_depth', { status: 'queued' })[0]?.value).toBe(0);
  });
});

describe('/metrics over a socket: the outbox and the circuits', () => {
  let p: TestPostern;
  let peer: WebhookPeer;
  let base: string;
  // The clock is moved forward instead of waiting for the queued message to age.
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };

  beforeAll(async () => {
    // The connector never succeeds, so the forgot-password message stays in the outbox.
    peer = await startWebhookPeer({ script: Array.from({ length: 200 }, () => 503) });
    p = await startPostern(
      'sqlite',
      { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' },
      { clock, housekeeping: false, deliveryRules: { baseBackoffMs: 10 }, outbox: { pollMs: 50 } },
    );
    base = await p.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await p?.close();
    await peer?.close();
  });

  it('reports the waiting message, the age of the oldest one and the connector circuit', async () => {
    expect((await p.api('PATCH', '/api/verification-code-policy', { ttlSeconds: 600 })).status).toBe(200);
    expect(
      (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url } })).status,
    ).toBe(200);
    const email = 'outbox.metrics@example.test';
    expect((await p.api('POST', '/api/users', { email, password: 'correct horse battery' })).status).toBe(201);
    const asked = await p.api('POST', '/api/experience/verification-codes', { email, intent: 'forgot-password' });
    expect(asked.status).toBe(202);
    await until('the message waits for a retry', async () => {
      const items = (await p.api('GET', '/api/outbox?status=queued')).body.items as { to: string }[];
      return items.some((i) => i.to === email);
    });
    offset += 120_000;

    const text = await (await fetch(new URL('/metrics', base))).text();
    const s = parse(text);
    const depth = (state: string) => find(s, 'postern_outbox_depth', { state })[0]?.value;
    // Queued, or being retried at the moment of the scrape: one message either way.
    expect(depth('queued')! + depth('sending')!).toBe(1);
    expect(find(s, 'postern_outbox_oldest_age_seconds')[0]?.value).toBeGreaterThanOrEqual(120);
    const circuit = find(s, 'postern_connector_circuit_state', { tenant: 'default', role: 'primary', factory: 'http' });
    expect(circuit).toHaveLength(1);
    expect([0, 1, 2]).toContain(circuit[0]!.value);
    expect(text).toContain('# TYPE postern_connector_circuit_state gauge');
    expect(text).not.toContain(email);
  });
});
