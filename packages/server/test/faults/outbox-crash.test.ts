import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSmtpPeer, type ReceivedSmtpMessage, type SmtpPeer } from '../../src/testing/peers/smtp.js';
import { dropSchema } from '../helpers.js';
import { call, schemaUrl, spawnPostern, until, type Spawned } from './spawn.js';

/**
 * Crash safety of the outbox (SPEC §15) with the real binary: an SMTP peer that holds its
 * answer to DATA, sends and forgot-password requests in flight, SIGKILL, start again.
 * The peer deduplicates by Message-ID: a message handed over by an instance that died
 * before hearing the answer may arrive again with the same id, never with another.
 */

/** The delivered mail per recipient, checked for loss and for sends that were not retries of one message. */
function deliveries(peer: SmtpPeer) {
  const grouped = () => {
    const byId = new Map<string, ReceivedSmtpMessage[]>();
    for (const m of peer.messages) {
      const id = m.parsed.messageId ?? '';
      byId.set(id, [...(byId.get(id) ?? []), m]);
    }
    return byId;
  };
  return {
    /** Distinct Message-IDs delivered to an address. */
    idsFor: (to: string) =>
      [...grouped().entries()].filter(([, ms]) => ms.some((m) => m.to.includes(to))).map(([id]) => id),
    /** Whether an address has a copy whose sender heard the answer. */
    ackedFor: (to: string) => peer.messages.some((m) => m.to.includes(to) && m.acked),
    /** Message-IDs whose sender heard "taken" more than once: the same message sent twice by live senders. */
    sentTwice: () =>
      [...grouped().entries()].filter(([, ms]) => ms.filter((m) => m.acked).length > 1).map(([id]) => id),
  };
}

const setup = async (base: string, key: string, peer: SmtpPeer) => {
  const c = await call(base, 'PUT', '/api/connectors/email', key, {
    factoryId: 'smtp',
    config: { host: '127.0.0.1', port: peer.port, fromEmail: 'auth@example.test' },
  });
  expect(c.status, JSON.stringify(c.body)).toBe(200);
  expect(
    (
      await call(base, 'PATCH', '/api/verification-code-policy', key, {
        resendCooldownSeconds: 0,
        maxSendsPerIpPerHour: 100000,
      })
    ).status,
  ).toBe(200);
};

describe.each(['sqlite', 'postgres'] as const)('SIGKILL with messages in flight on %s', (dialect) => {
  const dir = mkdtempSync(join(tmpdir(), 'postern-outbox-crash-'));
  const schema = `oc_${randomBytes(5).toString('hex')}`;
  const key = `crash-admin-${randomBytes(16).toString('hex')}`;
  const secret = randomBytes(32).toString('base64');
  let peer: SmtpPeer | undefined;
  const running: Spawned[] = [];
  afterAll(async () => {
    for (const s of running) await s.kill();
    await peer?.close();
    if (dialect === 'postgres') await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every accepted message after a restart, each under one Message-ID', async () => {
    peer = await startSmtpPeer({ holdDataMs: 1500 });
    const env = {
      DATABASE_URL: dialect === 'sqlite' ? `sqlite:${join(dir, 'postern.db')}` : await schemaUrl(schema),
      POSTERN_SECRET: secret,
      POSTERN_ADMIN_KEY: key,
      POSTERN_DATA_DIR: dir,
      POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
      POSTERN_OUTBOX_LEASE_SECONDS: '3',
    };
    const first = await spawnPostern(env);
    running.push(first);
    await setup(first.base, key, peer);
    const run = randomBytes(3).toString('hex');
    const users = Array.from({ length: 4 }, (_, i) => `reset${i}-${run}@example.test`);
    for (const email of users)
      expect(
        (await call(first.base, 'POST', '/api/users', key, { email, password: 'correct horse battery' })).status,
      ).toBe(201);

    // Answered after delivery: two finish before the kill, four are in flight when it comes.
    const done = [`done0-${run}@example.test`, `done1-${run}@example.test`];
    for (const email of done)
      expect((await call(first.base, 'POST', '/api/verification-codes', key, { email })).status).toBe(201);
    const inflight = Array.from({ length: 4 }, (_, i) => `inflight${i}-${run}@example.test`);
    const pending = inflight.map((email) =>
      call(first.base, 'POST', '/api/verification-codes', key, { email }).catch((err: Error) => err),
    );
    // Answered first (202), delivered after the answer.
    for (const email of users) {
      const r = await call(first.base, 'POST', '/api/experience/verification-codes', key, {
        email,
        intent: 'forgot-password',
      });
      expect(r.status).toBe(202);
    }
    // Kill once some messages are handed over and held by the peer, with others still queued behind them.
    await until('messages held at the peer', () => peer!.messages.filter((m) => !m.acked).length >= 3);
    await first.kill();
    const answers = await Promise.all(pending);
    expect(answers.every((a) => a instanceof Error)).toBe(true);

    const second = await spawnPostern(env);
    running.push(second);
    const d = deliveries(peer);
    const everyone = [...done, ...inflight, ...users];
    await until('every message delivered', () => everyone.every((to) => d.ackedFor(to)), 40_000);

    for (const to of everyone) expect(d.idsFor(to), to).toHaveLength(1);
    // Some messages were handed over before the kill and sent again after it, under the same id.
    expect(peer.messages.some((m) => !m.acked)).toBe(true);
    expect(d.sentTwice()).toEqual([]);
    // The message that arrived after the restart carries a code that works.
    const last = [...peer.messages].reverse().find((m) => m.to.includes(inflight[0]!) && m.acked)!;
    const code = /\b(\d{6})\b/.exec(last.parsed.text ?? '')?.[1];
    expect(code).toBeDefined();
    const logs = await call(second.base, 'GET', `/api/email-logs?to=${encodeURIComponent(inflight[0]!)}`, key);
    expect(logs.body.items.map((l: { status: string }) => l.status)).toContain('sent');
    const outbox = await call(second.base, 'GET', '/api/outbox?status=queued', key);
    expect(outbox.status).toBe(200);
    expect(outbox.body.items).toEqual([]);
  }, 90_000);
});

describe('two instances on one PostgreSQL schema, one killed under load', () => {
  const schema = `oc2_${randomBytes(5).toString('hex')}`;
  const key = `crash2-admin-${randomBytes(16).toString('hex')}`;
  let peer: SmtpPeer | undefined;
  const running: Spawned[] = [];
  afterAll(async () => {
    for (const s of running) await s.kill();
    await peer?.close();
    await dropSchema(schema);
  });

  it('loses nothing, and no message is sent by both', async () => {
    peer = await startSmtpPeer({ holdDataMs: 300 });
    const env = {
      DATABASE_URL: await schemaUrl(schema),
      POSTERN_SECRET: randomBytes(32).toString('base64'),
      POSTERN_ADMIN_KEY: key,
      POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
      POSTERN_OUTBOX_LEASE_SECONDS: '5',
    };
    const a = await spawnPostern(env);
    running.push(a);
    const b = await spawnPostern(env);
    running.push(b);
    await setup(a.base, key, peer);
    const run = randomBytes(3).toString('hex');
    const users = Array.from({ length: 24 }, (_, i) => `load${i}-${run}@example.test`);
    for (const email of users)
      expect((await call(a.base, 'POST', '/api/users', key, { email, password: 'correct horse battery' })).status).toBe(
        201,
      );

    const accepted: string[] = [];
    await Promise.all(
      users.map(async (email, i) => {
        const r = await call((i % 2 ? b : a).base, 'POST', '/api/experience/verification-codes', key, {
          email,
          intent: 'forgot-password',
        });
        if (r.status === 202) accepted.push(email);
      }),
    );
    expect(accepted).toHaveLength(users.length);
    await until('some messages held at the peer', () => peer!.messages.length >= 4);
    await a.kill();

    const d = deliveries(peer);
    await until('every message delivered', () => accepted.every((to) => d.ackedFor(to)), 40_000);
    for (const to of accepted) expect(d.idsFor(to), to).toHaveLength(1);
    expect(d.sentTwice()).toEqual([]);
  }, 90_000);
});
