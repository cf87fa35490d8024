import { expect } from 'vitest';
import { startSmtpPeer, type ReceivedSmtpMessage, type SmtpPeer } from '../../src/testing/peers/smtp.js';
import { startPostern, type DialectName, type TestPostern } from '../helpers.js';
import type { CreateOptions } from '../../src/main.js';

/** A clock the test moves by hand. */
export class TestClock {
  t = Date.now();
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

export interface World {
  p: TestPostern;
  smtp: SmtpPeer;
  /** A call without the admin key, as an end user's browser makes it. */
  pub(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  /** Waits for the n-th message to `to` (1-based, counting from the start) and returns it. */
  message(to: string, n?: number): Promise<ReceivedSmtpMessage>;
  /** The code in the newest message to `to`, read from the parsed text part. */
  code(to: string, n?: number): Promise<string>;
  sent(to: string): number;
  close(): Promise<void>;
}

/** Postern on `dialect`, sending through a real SMTP peer on 127.0.0.1. */
export async function startWorld(dialect: DialectName, opts: CreateOptions = {}, env: Record<string, string> = {}): Promise<World> {
  const smtp = await startSmtpPeer();
  const p = await startPostern(dialect, { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32', POSTERN_PUBLIC_URL: 'https://auth.example.test', ...env }, { housekeeping: false, ...opts });
  const put = await p.api('PUT', '/api/connectors/email', { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@example.test' } });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  expect((await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0, maxSendsPerRecipientPerHour: 1000, maxSendsPerIpPerHour: 100000, maxFailedPasswordsPerIpPerHour: 100000 })).status).toBe(200);
  const to = (m: ReceivedSmtpMessage, addr: string) => m.to.includes(addr);
  const sent = (addr: string) => smtp.messages.filter((m) => to(m, addr)).length;
  const message = async (addr: string, n?: number) => {
    const want = n ?? Math.max(1, sent(addr));
    // Background deliveries land after the answer: wait for them (bounded).
    for (let i = 0; i < 600 && sent(addr) < want; i++) await new Promise((r) => setTimeout(r, 25));
    const list = smtp.messages.filter((m) => to(m, addr));
    expect(list.length, `message ${want} to ${addr}`).toBeGreaterThanOrEqual(want);
    return list[want - 1]!;
  };
  return {
    p,
    smtp,
    async pub(method, url, body, headers = {}) {
      const res = await p.app.inject({
        method: method as never,
        url,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      let parsed: unknown = res.body;
      try {
        parsed = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.statusCode, body: parsed, headers: res.headers };
    },
    message,
    async code(addr, n) {
      const m = await message(addr, n);
      const found = /^\s*([0-9A-Z]{4,10})\s*$/m.exec(m.parsed.text ?? '');
      expect(found, 'the code on its own line').not.toBeNull();
      return found![1]!;
    },
    sent,
    async close() {
      await p.close();
      await smtp.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
