import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { isConnectorError, type ConnectorError } from '@postern/connector-kit';
import { createOutboundPolicy, type OutboundPolicy, type OutboundPolicyOptions } from './index.js';

const table: Record<string, Array<{ address: string; family: 4 | 6 }>> = {
  'public.example': [{ address: '93.184.216.34', family: 4 }],
  'mixed.example': [
    { address: '93.184.216.34', family: 4 },
    { address: '10.0.0.5', family: 4 },
  ],
  'rebind.example': [{ address: '::ffff:169.254.169.254', family: 6 }],
  'mail.internal': [{ address: '10.0.0.5', family: 4 }],
  'smtp.corp.example': [{ address: '10.0.0.6', family: 4 }],
  'corp.example': [{ address: '10.0.0.7', family: 4 }],
  'evilcorp.example': [{ address: '10.0.0.8', family: 4 }],
  'loop.example': [{ address: '127.0.0.1', family: 4 }],
  'dual.example': [
    { address: '2606:4700:4700::1111', family: 6 },
    { address: '1.1.1.1', family: 4 },
  ],
};

const fakeResolve: NonNullable<OutboundPolicyOptions['resolve']> = async (hostname) => {
  const found = table[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found;
};

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isConnectorError(err)) throw new Error(`expected a ConnectorError, got ${String(err)}`);
  return err;
}

const policies: OutboundPolicy[] = [];
function policy(opts: OutboundPolicyOptions = {}): OutboundPolicy {
  const p = createOutboundPolicy(opts);
  policies.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(policies.map((p) => p.close()));
});

describe('assertDestination', () => {
  it('refuses blocked literals, in every spelling, with host, address and reason', async () => {
    const p = policy({ resolve: fakeResolve });
    const err = await rejection(p.assertDestination('127.0.0.1'));
    expect(err.code).toBe('connector.destination_blocked');
    expect(err.status).toBe(422);
    expect(err.details).toEqual({ host: '127.0.0.1', address: '127.0.0.1', reason: 'loopback' });
    expect((await rejection(p.assertDestination('[::1]'))).details.reason).toBe('loopback');
    // Shorthand IPv4 is canonicalised as a URL would, never sent to DNS as a name.
    expect((await rejection(p.assertDestination('2130706433'))).details.address).toBe('127.0.0.1');
    expect((await rejection(p.assertDestination('0xa9.254.169.254'))).details.reason).toBe('metadata');
    await expect(p.assertDestination('8.8.8.8')).resolves.toBeUndefined();
  });

  it('refuses a host name when any resolved address is blocked', async () => {
    const p = policy({ resolve: fakeResolve });
    await expect(p.assertDestination('public.example')).resolves.toBeUndefined();
    await expect(p.assertDestination('dual.example')).resolves.toBeUndefined();
    const mixed = await rejection(p.assertDestination('mixed.example'));
    expect(mixed.details).toEqual({ host: 'mixed.example', address: '10.0.0.5', reason: 'private' });
    expect((await rejection(p.assertDestination('rebind.example'))).details.reason).toBe('metadata');
  });

  it('lets allow-listed host names through, exactly or by subdomain', async () => {
    const p = policy({ resolve: fakeResolve, allow: ['MAIL.internal', '*.corp.example'] });
    await expect(p.assertDestination('mail.internal')).resolves.toBeUndefined();
    await expect(p.assertDestination('Mail.Internal.')).resolves.toBeUndefined();
    await expect(p.assertDestination('smtp.corp.example')).resolves.toBeUndefined();
    expect((await rejection(p.assertDestination('corp.example'))).code).toBe('connector.destination_blocked');
    expect((await rejection(p.assertDestination('evilcorp.example'))).code).toBe('connector.destination_blocked');
    expect((await rejection(p.assertDestination('loop.example'))).details.reason).toBe('loopback');
  });

  it('reports an unresolvable name as connector.unavailable, keeping the DNS error as cause', async () => {
    const err = await rejection(policy({ resolve: fakeResolve }).assertDestination('nowhere.example'));
    expect(err.code).toBe('connector.unavailable');
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });

  it('resolves the real localhost with the system resolver and refuses it', async () => {
    const err = await rejection(policy().assertDestination('localhost'));
    expect(err.code).toBe('connector.destination_blocked');
    expect(err.details.reason).toBe('loopback');
    await expect(policy({ allow: ['127.0.0.0/8', '::1/128'] }).assertDestination('localhost')).resolves.toBeUndefined();
    await expect(policy({ allow: ['localhost'] }).assertDestination('localhost')).resolves.toBeUndefined();
  });
});

describe('lookup', () => {
  let server: net.Server;
  let port = 0;
  let accepted = 0;
  beforeAll(async () => {
    server = net.createServer((socket) => {
      accepted++;
      socket.end('hello');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  function connect(options: net.NetConnectOpts): Promise<{ error?: NodeJS.ErrnoException; data?: string }> {
    return new Promise((resolve) => {
      const socket = net.connect(options);
      let data = '';
      socket.on('data', (chunk) => (data += String(chunk)));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error }));
      socket.on('close', () => resolve({ data }));
    });
  }

  it('makes net.connect to localhost fail with EDESTINATIONBLOCKED and the ConnectorError as cause', async () => {
    const before = accepted;
    const { error } = await connect({ host: 'localhost', port, lookup: policy().lookup as never });
    expect(error?.code).toBe('EDESTINATIONBLOCKED');
    const cause = error?.cause as ConnectorError;
    expect(isConnectorError(cause)).toBe(true);
    expect(cause.code).toBe('connector.destination_blocked');
    expect(cause.details.reason).toBe('loopback');
    expect(accepted).toBe(before);
  });

  it('fails the same way without happy-eyeballs (single-address lookup)', async () => {
    const { error } = await connect({ host: 'loop.example', port, autoSelectFamily: false, lookup: policy({ resolve: fakeResolve }).lookup as never });
    expect(error?.code).toBe('EDESTINATIONBLOCKED');
  });

  it('connects to the checked address when the destination is allowed', async () => {
    const p = policy({ resolve: fakeResolve, allow: ['127.0.0.1/32'] });
    expect(await connect({ host: 'loop.example', port, lookup: p.lookup as never })).toEqual({ data: 'hello' });
    expect(await connect({ host: 'loop.example', port, autoSelectFamily: false, lookup: p.lookup as never })).toEqual({ data: 'hello' });
  });

  it('answers in both dns.lookup shapes and honours the family', async () => {
    const p = policy({ resolve: fakeResolve });
    const call = (options: { family?: number; all?: boolean }) =>
      new Promise<unknown[]>((resolve) => p.lookup('dual.example', options, (...args) => resolve(args)));
    expect(await call({ all: true })).toEqual([null, table['dual.example']]);
    expect(await call({})).toEqual([null, '2606:4700:4700::1111', 6]);
    expect(await call({ family: 4 })).toEqual([null, '1.1.1.1', 4]);
    const [err] = (await new Promise<unknown[]>((resolve) => p.lookup('public.example', { family: 6 }, (...args) => resolve(args)))) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ENOTFOUND');
  });
});
