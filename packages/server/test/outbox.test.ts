import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startWebhookPeer, type WebhookPeer } from '../src/testing/peers/webhook.js';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';
import { until } from './faults/spawn.js';

/**
 * The outbox's rules for messages sent after the answer (SPEC §15): retried with back-off,
 * never after the code expired or was replaced, cancellable while queued, listed without
 * their code. The clock is moved forward instead of waiting out the back-off.
 */
describe.each(DIALECTS)('the outbox on %s', (dialect) => {
  let p: TestPostern;
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const peers: WebhookPeer[] = [];
  const run = randomBytes(3).toString('hex');
  let n = 0;
  beforeAll(async () => {
    p = await startPostern(
      dialect,
      { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' },
      { clock, housekeeping: false, deliveryRules: { baseBackoffMs: 10 }, outbox: { pollMs: 50 } },
    );
    await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0, ttlSeconds: 600 });
  });
  afterAll(async () => {
    await p?.close();
    for (const x of peers) await x.close();
  });

  /** A user, a primary that fails its first pass (3 × 503), and a forgot-password request queued behind that failure. */
  const queuedReset = async () => {
    const peer = await startWebhookPeer({ script: [503, 503, 503] });
    peers.push(peer);
    expect(
      (await p.api('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url } })).status,
    ).toBe(200);
    const email = `reset-${run}-${++n}@example.test`;
    expect((await p.api('POST', '/api/users', { email, password: 'correct horse battery' })).status).toBe(201);
    const asked = await p.api('POST', '/api/experience/verification-codes', { email, intent: 'forgot-password' });
    expect(asked.status).toBe(202);
    let row: any;
    await until('the message queued for a retry', async () => {
      const items = (await p.api('GET', '/api/outbox?status=queued')).body.items;
      row = items.find((i: { to: string }) => i.to === email);
      return row !== undefined;
    });
    expect(peer.received).toHaveLength(3);
    return { peer, email, row, verificationId: asked.body.verificationId as string };
  };
  const state = async (id: string) =>
    (await p.api('GET', '/api/outbox?status=sent')).body.items
      .concat(
        (await p.api('GET', '/api/outbox')).body.items,
        (await p.api('GET', '/api/outbox?status=cancelled')).body.items,
      )
      .find((i: { id: string }) => i.id === id);
  const later = (ms: number) => {
    offset += ms;
    p.services.outbox.kick();
  };

  it('retries a message sent after the answer, under the same id, and logs only the final outcome', async () => {
    const { peer, email, row } = await queuedReset();
    expect(row).toMatchObject({
      state: 'queued',
      source: 'experience',
      templateType: 'ForgotPassword',
      attempts: 3,
      lastError: { code: 'connector.unavailable' },
    });
    // The listing never shows the code.
    const code = (peer.received[0]!.body as { payload: { code: string } }).payload.code;
    expect(JSON.stringify((await p.api('GET', '/api/outbox')).body)).not.toContain(code);
    later(10_000);
    await until('the retry delivered', async () => (await state(row.id))?.state === 'sent');
    expect(peer.received).toHaveLength(4);
    expect(new Set(peer.received.map((r) => (r.body as { id: string }).id))).toEqual(new Set([row.id]));
    const logs = (await p.api('GET', `/api/email-logs?to=${encodeURIComponent(email)}`)).body.items;
    expect(logs.map((l: { status: string }) => l.status)).toEqual(['sent']);
  });

  it('never sends a message whose code was replaced by a newer one', async () => {
    const { peer, email, row } = await queuedReset();
    expect(
      (await p.api('POST', '/api/experience/verification-codes', { email, intent: 'forgot-password' })).status,
    ).toBe(202);
    await until('the newer code delivered', () => peer.received.length === 4);
    later(10_000);
    await until('the older message cancelled', async () => (await state(row.id))?.state === 'cancelled');
    expect((await state(row.id)).lastError.code).toBe('outbox.superseded');
    expect(peer.received).toHaveLength(4);
  });

  it('never sends a message after its code expired', async () => {
    const { peer, row } = await queuedReset();
    later(601_000);
    await until('the message failed as expired', async () => (await state(row.id))?.state === 'failed');
    expect((await state(row.id)).lastError.code).toBe('outbox.expired');
    expect(peer.received).toHaveLength(3);
  });

  it('DELETE /api/outbox/:id cancels a queued message; the code goes with it', async () => {
    const { peer, row, email, verificationId } = await queuedReset();
    const code = (peer.received[0]!.body as { payload: { code: string } }).payload.code;
    const del = await p.api('DELETE', `/api/outbox/${row.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ id: row.id, state: 'cancelled' });
    const again = await p.api('DELETE', `/api/outbox/${row.id}`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('outbox.not_queued');
    expect((await p.api('DELETE', '/api/outbox/no-such-message')).status).toBe(404);
    later(10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.received).toHaveLength(3);
    const reset = await p.api('POST', '/api/experience/forgot-password', {
      email,
      verificationId,
      code,
      newPassword: 'another long password',
    });
    expect(reset.body.code).toBe('verification_code.not_found');
    expect((await p.api('GET', '/api/outbox?status=cancelled&limit=1')).body.items).toHaveLength(1);
    expect((await p.api('GET', '/api/outbox?limit=0')).status).toBe(400);
    expect((await p.api('GET', '/api/outbox?status=nope')).status).toBe(400);
  });

  it('exports the queue depth and the oldest age in /metrics', async () => {
    const m = await p.app.inject({ method: 'GET', url: '/metrics' });
    expect(m.body).toMatch(/postern_outbox_depth\{state="queued"\} \d+/);
    expect(m.body).toMatch(/postern_outbox_oldest_age_seconds \d+/);
  });
});
