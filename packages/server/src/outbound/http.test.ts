import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import type { Socket, AddressInfo } from 'node:net';
import { once } from 'node:events';
import { request } from 'undici';
import { isConnectorError, type ConnectorError } from '@postern/connector-kit';
import { createOutboundPolicy, type OutboundPolicy, type OutboundPolicyOptions } from './index.js';

let server: http.Server;
let port = 0;
const seen: string[] = [];
const sockets = new Set<Socket>();
let onHang: (() => void) | undefined;

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const redirect = (status: number, location: string) => res.writeHead(status, { location }).end();
    switch (req.url) {
      case '/ok':
        return res.end('ok');
      case '/echo':
        res.setHeader('content-type', 'application/json');
        return res.end(
          JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString(), authorization: req.headers.authorization ?? null, type: req.headers['content-type'] ?? null }),
        );
      case '/to-metadata':
        return redirect(302, 'http://169.254.169.254/latest/meta-data/');
      case '/to-name':
        return redirect(302, `http://loop.example:${port}/ok`);
      case '/to-ok':
        return redirect(301, '/ok');
      case '/to-ftp':
        return redirect(302, 'ftp://files.example/x');
      case '/307':
        return redirect(307, '/echo');
      case '/303':
        return redirect(303, '/echo');
      case '/cross-origin':
        return redirect(302, `http://127.0.0.1:${port}/echo`);
      case '/loop':
        return redirect(302, '/loop');
      case '/hang':
        onHang?.();
        return; // never answers; the client aborts
      default:
        return res.writeHead(404).end();
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

// Names the tests use: only the injected resolver knows them.
const resolve: NonNullable<OutboundPolicyOptions['resolve']> = async (hostname) => {
  if (hostname === 'localhost' || hostname === 'loop.example') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

const policies: OutboundPolicy[] = [];
function policy(opts: OutboundPolicyOptions = {}): OutboundPolicy {
  const p = createOutboundPolicy(opts);
  policies.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(policies.map((p) => p.close()));
});

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isConnectorError(err)) throw new Error(`expected a ConnectorError, got ${String(err)}`, { cause: err });
  return err;
}

describe('policy fetch', () => {
  it('refuses a loopback server by default, in every spelling, before any request reaches it', async () => {
    const p = policy();
    const before = seen.length;
    for (const host of ['127.0.0.1', 'localhost', '0x7f.1', '127.1', '2130706433', '[::ffff:127.0.0.1]', '[::1]']) {
      const err = await rejection(p.fetch(`http://${host}:${port}/ok`));
      expect([host, err.code, err.details.reason]).toEqual([host, 'connector.destination_blocked', 'loopback']);
    }
    expect(seen.length).toBe(before);
  });

  it('reaches the loopback server when 127.0.0.1/32 is allowed', async () => {
    const res = await policy({ allow: ['127.0.0.1/32'] }).fetch(`http://127.0.0.1:${port}/ok`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('exposes the dispatcher: blocked connects fail with EDESTINATIONBLOCKED, allowed ones connect', async () => {
    const blocked = await request(`http://localhost:${port}/ok`, { dispatcher: policy({ resolve }).dispatcher }).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(blocked?.code).toBe('EDESTINATIONBLOCKED');
    expect(isConnectorError(blocked?.cause)).toBe(true);
    const { dispatcher } = policy({ resolve, allow: ['127.0.0.1/32'] });
    const res = await request(`http://localhost:${port}/ok`, { dispatcher });
    expect(await res.body.text()).toBe('ok');
  });

  it('refuses a redirect from an allowed server to the metadata address', async () => {
    const err = await rejection(policy({ allow: ['127.0.0.1/32'] }).fetch(`http://127.0.0.1:${port}/to-metadata`));
    expect(err.code).toBe('connector.destination_blocked');
    expect(err.details).toEqual({ host: '169.254.169.254', address: '169.254.169.254', reason: 'metadata' });
  });

  it('refuses a redirect to a host name that is not allowed and resolves to loopback', async () => {
    const p = policy({ resolve, allow: ['localhost'] });
    const before = seen.length;
    const err = await rejection(p.fetch(`http://localhost:${port}/to-name`));
    expect(err.details).toEqual({ host: 'loop.example', address: '127.0.0.1', reason: 'loopback' });
    expect(seen.slice(before)).toEqual(['GET /to-name']);
  });

  it('follows allowed redirects', async () => {
    const res = await policy({ allow: ['127.0.0.1/32'] }).fetch(`http://127.0.0.1:${port}/to-ok`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(res.url).toBe(`http://127.0.0.1:${port}/ok`);
  });

  it('connects to the address it checked, with no second lookup a DNS rebinding could answer', async () => {
    let calls = 0;
    const rebinding: NonNullable<OutboundPolicyOptions['resolve']> = async () => [{ address: calls++ === 0 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
    const res = await policy({ resolve: rebinding, allow: ['127.0.0.1/32'] }).fetch(`http://switch.example:${port}/ok`);
    expect(await res.text()).toBe('ok');
    expect(calls).toBe(1);
  });

  it('keeps method and body on 307, switches to GET on 303, drops Authorization across origins', async () => {
    const p = policy({ resolve, allow: ['localhost', '127.0.0.1'] });
    const post = { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json', authorization: 'Bearer test-token-abcdef' } };
    expect(await (await p.fetch(`http://localhost:${port}/307`, post)).json()).toEqual({ method: 'POST', body: '{"a":1}', authorization: 'Bearer test-token-abcdef', type: 'application/json' });
    expect(await (await p.fetch(`http://localhost:${port}/303`, post)).json()).toEqual({ method: 'GET', body: '', authorization: 'Bearer test-token-abcdef', type: null });
    expect(await (await p.fetch(`http://localhost:${port}/cross-origin`, { headers: { authorization: 'Bearer test-token-abcdef' } })).json()).toMatchObject({ authorization: null });
  });

  it('accepts Request objects, FormData and URLSearchParams bodies', async () => {
    const p = policy({ allow: ['127.0.0.1/32'] });
    const url = `http://127.0.0.1:${port}/echo`;
    const fromRequest = await (await p.fetch(new Request(url, { method: 'PUT', body: 'hi', headers: { authorization: 'Basic dGVzdDp0ZXN0' } }))).json();
    expect(fromRequest).toMatchObject({ method: 'PUT', body: 'hi', authorization: 'Basic dGVzdDp0ZXN0' });
    const form = new FormData();
    form.set('to', 'alice@example.test');
    const multipart = (await (await p.fetch(url, { method: 'POST', body: form })).json()) as { body: string; type: string };
    expect(multipart.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(multipart.body).toContain('alice@example.test');
    const encoded = await (await p.fetch(url, { method: 'POST', body: new URLSearchParams({ a: 'b' }) })).json();
    expect(encoded).toMatchObject({ body: 'a=b', type: 'application/x-www-form-urlencoded;charset=UTF-8' });
  });

  it('refuses non-http(s) schemes, directly and by redirect', async () => {
    const p = policy({ allow: ['127.0.0.1/32'] });
    expect((await rejection(p.fetch('file:///etc/passwd'))).details.reason).toBe('scheme');
    expect((await rejection(p.fetch(`http://127.0.0.1:${port}/to-ftp`))).details.reason).toBe('scheme');
  });

  it('stops waiting when the caller aborts', async () => {
    const p = policy({ allow: ['127.0.0.1/32'] });
    const controller = new AbortController();
    onHang = () => controller.abort();
    const err = await p.fetch(`http://127.0.0.1:${port}/hang`, { signal: controller.signal }).catch((e: unknown) => e);
    onHang = undefined;
    expect((err as Error).name).toBe('AbortError');
    await expect(p.fetch(`http://127.0.0.1:${port}/ok`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('gives up after maxRedirects', async () => {
    const p = policy({ allow: ['127.0.0.1/32'], maxRedirects: 2 });
    const before = seen.length;
    const err = await rejection(p.fetch(`http://127.0.0.1:${port}/loop`));
    expect(err.code).toBe('connector.delivery_failed');
    expect(err.details.reason).toBe('too_many_redirects');
    expect(seen.length - before).toBe(3);
  });

  it('close() closes the agent and its pooled connections', async () => {
    const p = createOutboundPolicy({ allow: ['127.0.0.1/32'] });
    const before = new Set(sockets);
    const res = await p.fetch(`http://127.0.0.1:${port}/ok`);
    await res.text();
    const mine = [...sockets].filter((s) => !before.has(s));
    expect(mine).toHaveLength(1);
    const closed = once(mine[0]!, 'close');
    await p.close();
    await closed;
    await expect(p.fetch(`http://127.0.0.1:${port}/ok`)).rejects.toThrow();
  });
});
