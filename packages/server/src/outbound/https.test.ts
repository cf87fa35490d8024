import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { generate } from 'selfsigned';
import { isConnectorError } from '@postern/connector-kit';
import { createOutboundPolicy, type OutboundPolicy, type OutboundPolicyOptions } from './index.js';

let server: https.Server;
let port = 0;
let cert = '';
let requests = 0;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'secure.test' }], { algorithm: 'sha256', keySize: 2048 });
  cert = pems.cert;
  server = https.createServer({ key: pems.private, cert: pems.cert }, (_req, res) => {
    requests++;
    res.end('secure ok');
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

const resolve: NonNullable<OutboundPolicyOptions['resolve']> = async (hostname) => {
  if (hostname === 'secure.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

const policies: OutboundPolicy[] = [];
function policy(opts: OutboundPolicyOptions): OutboundPolicy {
  const p = createOutboundPolicy(opts);
  policies.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(policies.map((p) => p.close()));
});

describe('policy fetch over https', () => {
  it('refuses a name that resolves to loopback before the TLS handshake', async () => {
    const before = requests;
    const err = await policy({ resolve, ca: cert })
      .fetch(`https://secure.test:${port}/`)
      .catch((e: unknown) => e);
    expect(isConnectorError(err) && err.details).toEqual({ host: 'secure.test', address: '127.0.0.1', reason: 'loopback' });
    expect(requests).toBe(before);
  });

  it('connects to the checked address and still verifies the certificate against the host name', async () => {
    const res = await policy({ resolve, allow: ['secure.test'], ca: cert }).fetch(`https://secure.test:${port}/`);
    expect(await res.text()).toBe('secure ok');
  });

  it('keeps certificate verification on: the same server by IP fails the name check', async () => {
    const before = requests;
    const err = await policy({ allow: ['127.0.0.1/32'], ca: cert })
      .fetch(`https://127.0.0.1:${port}/`)
      .catch((e: unknown) => e);
    expect(isConnectorError(err)).toBe(false);
    expect(String((err as Error).cause)).toMatch(/certificate|altname|IP: 127\.0\.0\.1/i);
    expect(requests).toBe(before);
  });
});
