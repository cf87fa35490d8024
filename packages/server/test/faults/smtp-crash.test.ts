import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { startSmtpPeer, type SmtpPeer } from '../../src/testing/peers/smtp.js';
import { call, spawnPostern, until, type Spawned } from './spawn.js';

/**
 * SPEC §18: a message answered 250 is in the outbox. The peer holds its answer to DATA, so
 * the first instance dies with the message handed over but unconfirmed; the next instance
 * delivers it again (same Message-ID) once the lease has expired.
 */
describe('SIGKILL after 250 on the SMTP listener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postern-smtp-crash-'));
  const key = `smtp-crash-admin-${randomBytes(16).toString('hex')}`;
  let peer: SmtpPeer | undefined;
  const running: Spawned[] = [];
  afterAll(async () => {
    for (const s of running) await s.kill();
    await peer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('still delivers every accepted message', async () => {
    peer = await startSmtpPeer({ holdDataMs: 4_000 });
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'postern.db')}`,
      POSTERN_SECRET: randomBytes(32).toString('base64'),
      POSTERN_ADMIN_KEY: key,
      POSTERN_DATA_DIR: dir,
      POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
      POSTERN_OUTBOX_LEASE_SECONDS: '2',
      POSTERN_SMTP_PORT: '0',
    };
    const first = await spawnPostern(env);
    running.push(first);
    const port = Number(/SMTP: +127\.0\.0\.1:(\d+)/.exec(first.output())?.[1]);
    expect(port).toBeGreaterThan(0);
    const c = await call(first.base, 'PUT', '/api/connectors/email', key, {
      factoryId: 'smtp',
      config: { host: '127.0.0.1', port: peer.port, fromEmail: 'auth@example.test', requireTLS: false },
    });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    const cred = await call(first.base, 'POST', '/api/smtp-credentials', key, { name: 'app', allowedFromDomains: ['example.test'] });
    const ca = (await call(first.base, 'GET', '/api/smtp-credentials/certificate', key)).body.pem as string;
    const t = nodemailer.createTransport({ host: '127.0.0.1', port, requireTLS: true, auth: { user: cred.body.username, pass: cred.body.password }, tls: { ca, servername: 'localhost' } });
    const to = ['k1@example.net', 'k2@example.net'];
    const info = await t.sendMail({ from: 'app@example.test', to, subject: 'Survives', text: 'kill -9' });
    expect(info.response).toMatch(/^250 /);
    // Handed over, not yet confirmed: the instance dies now.
    await until('both copies held at the peer', () => peer!.messages.length >= 2);
    await first.kill();

    const second = await spawnPostern(env);
    running.push(second);
    await until('both delivered and confirmed', () => to.every((r) => peer!.messages.some((m) => m.to.includes(r) && m.acked)), 40_000);
    for (const r of to) {
      const ids = new Set(peer.messages.filter((m) => m.to.includes(r)).map((m) => m.parsed.messageId));
      expect(ids.size, r).toBe(1);
    }
  });
});
