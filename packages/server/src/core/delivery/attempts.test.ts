import { describe, expect, it } from 'vitest';
import { ConnectorError, type Connector, type EmailMessage } from '@postern/connector-kit';
import { deliver, DEFAULT_RULES, type DeliveryTime } from './attempts.js';

const message: EmailMessage = {
  id: 'm1',
  tenantId: 't1',
  from: {},
  to: 'a@example.test',
  subject: 's',
  html: '<p>h</p>',
  text: 'h',
  headers: {},
  templateType: 'Generic',
  locale: 'en',
  variables: {},
};

/** Virtual time: sleeping moves the clock, and every sleep is recorded. */
function virtualTime(random = 0.5): DeliveryTime & { slept: number[]; t: number } {
  const v = {
    t: 0,
    slept: [] as number[],
    now: () => v.t,
    random: () => random,
    sleep: async (ms: number) => {
      v.slept.push(ms);
      v.t += ms;
    },
  };
  return v;
}

/** A connector that fails with the given errors in turn, then succeeds. */
function failing(...errors: unknown[]): Connector & { calls: number } {
  const c = {
    calls: 0,
    async send() {
      const e = errors[c.calls++];
      if (e) throw e;
      return { providerMessageId: `p${c.calls}` };
    },
  };
  return c;
}

describe('deliver: the attempt loop (core, injected time and randomness)', () => {
  it('retries a retryable failure with jittered exponential back-off, then succeeds', async () => {
    const time = virtualTime(0.5);
    const c = failing(new ConnectorError('connector.unavailable'), new ConnectorError('connector.unavailable'));
    const out = await deliver(c, message, DEFAULT_RULES, 'test', time);
    expect(out).toMatchObject({ ok: true, providerMessageId: 'p3', attempts: 3 });
    // base 250 ms, then 500 ms; jitter = base/2 + random*base with random 0.5
    expect(time.slept).toEqual([250, 500]);
  });

  it('does not retry a permanent failure', async () => {
    const time = virtualTime();
    const c = failing(new ConnectorError('connector.auth_failed'));
    const out = await deliver(c, message, DEFAULT_RULES, 'test', time);
    expect(out).toMatchObject({ ok: false, attempts: 1, error: { code: 'connector.auth_failed' } });
    expect(c.calls).toBe(1);
    expect(time.slept).toEqual([]);
  });

  it.each([
    { retryAfter: 2, ok: true, attempts: 2, slept: [2000] },
    { retryAfter: 60, ok: false, attempts: 1, slept: [] },
  ])('Retry-After $retryAfter s: waits it out when short, gives up at once when long', async (c) => {
    const time = virtualTime();
    const limited = new ConnectorError('connector.rate_limited', undefined, { details: { retryAfter: c.retryAfter } });
    const out = await deliver(failing(limited), message, DEFAULT_RULES, 'test', time);
    expect(out).toMatchObject({ ok: c.ok, attempts: c.attempts });
    expect(time.slept).toEqual(c.slept);
  });

  it('stops at maxAttempts and reports the last error with the attempt count', async () => {
    const time = virtualTime(0);
    const c = failing(...Array.from({ length: 5 }, () => new ConnectorError('connector.timeout')));
    const out = await deliver(c, message, { ...DEFAULT_RULES, maxAttempts: 3 }, 'test', time);
    expect(out).toMatchObject({ ok: false, attempts: 3, error: { code: 'connector.timeout' } });
    expect(c.calls).toBe(3);
  });

  it('does not start a retry that the total budget cannot hold', async () => {
    const time = virtualTime(0.5);
    const c = failing(new ConnectorError('connector.unavailable'), new ConnectorError('connector.unavailable'));
    // The first back-off (250 ms) would end past a 200 ms budget.
    const out = await deliver(c, message, { ...DEFAULT_RULES, totalBudgetMs: 200 }, 'test', time);
    expect(out).toMatchObject({ ok: false, attempts: 1 });
    expect(time.slept).toEqual([]);
  });

  it('aborts an attempt at its timeout and answers connector.timeout', async () => {
    let signalled: AbortSignal | undefined;
    const hanging: Connector = {
      send: (_m, { signal }) => {
        signalled = signal;
        return new Promise(() => undefined);
      },
    };
    const out = await deliver(
      hanging,
      message,
      { ...DEFAULT_RULES, attemptTimeoutMs: 5, maxAttempts: 1 },
      'test',
      virtualTime(),
    );
    expect(out).toMatchObject({ ok: false, attempts: 1, error: { code: 'connector.timeout' } });
    expect(signalled?.aborted).toBe(true);
  });

  it('wraps anything else a connector throws, keeping it as the cause', async () => {
    const boom = new Error('boom');
    const out = await deliver(failing(boom), message, DEFAULT_RULES, 'test', virtualTime());
    expect(out.error).toBeInstanceOf(ConnectorError);
    expect(out.error).toMatchObject({ code: 'connector.delivery_failed' });
    expect(out.error!.cause).toBe(boom);
  });

  it('passes the destination policy error on from deep in the cause chain', async () => {
    const blocked = new ConnectorError('connector.destination_blocked');
    const wrapped = new TypeError('fetch failed', { cause: new Error('socket', { cause: blocked }) });
    const out = await deliver(failing(wrapped), message, DEFAULT_RULES, 'test', virtualTime());
    expect(out.error).toBe(blocked);
    expect(out.attempts).toBe(1);
  });
});
