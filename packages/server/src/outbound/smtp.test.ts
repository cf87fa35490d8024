/**
 * How an SMTP connector hooks the policy into nodemailer. nodemailer resolves host names
 * itself (dns.resolve4/resolve6, then dns.lookup, with its own cache) and connects to the
 * IP it found, so a `lookup` option is never used. Its `getSocket` hook is: hand it a
 * socket connected through the policy's `lookup` (an IP literal asserted first) and
 * nodemailer runs SMTP over it, and TLS with the configured host name as servername.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { SMTPServer } from 'smtp-server';
import { generate } from 'selfsigned';
import { isConnectorError, type ConnectorError, type ConnectorContext } from '@postern/connector-kit';
import { createOutboundPolicy, type OutboundPolicy, type OutboundPolicyOptions } from './index.js';

/**
 * The getSocket an SMTP connector passes to nodemailer, built from its ConnectorContext.
 * net.connect skips `lookup` for an IP literal, so literals are asserted first.
 */
function policySocket(ctx: Pick<ConnectorContext, 'lookup' | 'assertDestination'>): NonNullable<SMTPTransport.Options['getSocket']> {
  return (options, callback) => {
    const host = options.host ?? 'localhost';
    const port = options.port ?? 25;
    const checked = net.isIP(host) ? ctx.assertDestination(host) : Promise.resolve();
    checked.then(
      () => {
        const socket = net.connect({ host, port, lookup: ctx.lookup as never });
        const onError = (err: Error) => {
          socket.destroy();
          callback(err, null);
        };
        socket.once('error', onError);
        socket.once('connect', () => {
          socket.removeListener('error', onError);
          callback(null, { connection: socket });
        });
      },
      (err: Error) => callback(err, null),
    );
  };
}

const resolve: NonNullable<OutboundPolicyOptions['resolve']> = async (hostname) => {
  if (hostname === 'mail.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

const mail = { from: 'postern@example.test', to: 'alice@example.test', subject: 'Your code', text: 'hello' };

let plain: SMTPServer;
let implicitTls: SMTPServer;
let plainPort = 0;
let tlsPort = 0;
let ca = '';
const connects: string[] = [];
const received: string[] = [];

async function listen(server: SMTPServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return (server.server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'mail.test' }], { algorithm: 'sha256', keySize: 2048 });
  ca = pems.cert;
  const common = {
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onConnect(session: { remoteAddress: string }, cb: (err?: Error) => void) {
      connects.push(session.remoteAddress);
      cb();
    },
    onData(stream: NodeJS.ReadableStream, _session: unknown, cb: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString());
        cb();
      });
    },
  };
  plain = new SMTPServer({ ...common, secure: false });
  implicitTls = new SMTPServer({ ...common, secure: true, key: pems.private, cert: pems.cert, disabledCommands: [] });
  plainPort = await listen(plain);
  tlsPort = await listen(implicitTls);
});

const policies: OutboundPolicy[] = [];
function policy(opts: OutboundPolicyOptions = {}): OutboundPolicy {
  const p = createOutboundPolicy(opts);
  policies.push(p);
  return p;
}

afterAll(async () => {
  await Promise.all(policies.map((p) => p.close()));
  await new Promise<void>((r) => plain.close(() => r()));
  await new Promise<void>((r) => implicitTls.close(() => r()));
});

describe('nodemailer through the policy', () => {
  it('refuses a loopback host name before any SMTP connection is made', async () => {
    const before = connects.length;
    const transport = nodemailer.createTransport({ host: 'localhost', port: plainPort, ignoreTLS: true, getSocket: policySocket(policy()) });
    const err = (await transport.sendMail(mail).then(
      () => undefined,
      (e: unknown) => e,
    )) as NodeJS.ErrnoException | undefined;
    transport.close();
    expect(err?.code).toBe('EDESTINATIONBLOCKED');
    const cause = err?.cause as ConnectorError;
    expect(isConnectorError(cause)).toBe(true);
    expect(cause.code).toBe('connector.destination_blocked');
    expect(cause.details.reason).toBe('loopback');
    expect(connects.length).toBe(before);
  });

  it('refuses a literal loopback IP too', async () => {
    const before = connects.length;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: plainPort, ignoreTLS: true, getSocket: policySocket(policy()) });
    const err = await transport.sendMail(mail).then(
      () => undefined,
      (e: unknown) => e,
    );
    transport.close();
    expect(isConnectorError(err) && err.code).toBe('connector.destination_blocked');
    expect(connects.length).toBe(before);
  });

  it('delivers over plain SMTP when the destination is allowed', async () => {
    const transport = nodemailer.createTransport({
      host: 'mail.test',
      port: plainPort,
      ignoreTLS: true,
      getSocket: policySocket(policy({ resolve, allow: ['127.0.0.1/32'] })),
    });
    const info = await transport.sendMail({ ...mail, subject: 'plain allowed' });
    transport.close();
    expect(info.accepted).toEqual(['alice@example.test']);
    expect(received.some((raw) => raw.includes('Subject: plain allowed'))).toBe(true);
  });

  it('delivers over implicit TLS, verifying the certificate against the host name', async () => {
    const transport = nodemailer.createTransport({
      host: 'mail.test',
      port: tlsPort,
      secure: true,
      tls: { ca },
      getSocket: policySocket(policy({ resolve, allow: ['mail.test'] })),
    });
    const info = await transport.sendMail({ ...mail, subject: 'tls allowed' });
    transport.close();
    expect(info.accepted).toEqual(['alice@example.test']);
    expect(received.some((raw) => raw.includes('Subject: tls allowed'))).toBe(true);
  });
});
