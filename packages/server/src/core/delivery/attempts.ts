import { ConnectorError, findConnectorError, isConnectorError, type Connector, type EmailMessage } from '@postern/connector-kit';
import { startSpan } from '../../lib/tracing.js';

/** Delivery rules (SPEC §3.5). */
export interface DeliveryRules {
  attemptTimeoutMs: number;
  maxAttempts: number;
  totalBudgetMs: number;
  /** A 429 is retried only when its Retry-After is at most this. */
  maxRetryAfterSeconds: number;
  baseBackoffMs: number;
}

export const DEFAULT_RULES: DeliveryRules = {
  attemptTimeoutMs: 10_000,
  maxAttempts: 3,
  totalBudgetMs: 15_000,
  maxRetryAfterSeconds: 5,
  baseBackoffMs: 250,
};

export interface DeliveryOutcome {
  ok: boolean;
  providerMessageId: string | null;
  captured: boolean;
  attempts: number;
  durationMs: number;
  error?: ConnectorError;
}

/** Time and chance as the loop sees them; tests pass their own. */
export interface DeliveryTime {
  /** Milliseconds, monotonic. */
  now(): number;
  /** In [0, 1), for the back-off jitter. */
  random(): number;
  sleep(ms: number): Promise<void>;
}

export const realTime: DeliveryTime = {
  now: () => performance.now(),
  random: Math.random,
  sleep: (ms) => new Promise<void>((r) => setTimeout(r, ms)),
};

/** Wraps anything a connector threw into a ConnectorError, keeping it as the cause. */
export function asConnectorError(err: unknown): ConnectorError {
  if (isConnectorError(err)) return err;
  const blocked = findConnectorError(err, 'connector.destination_blocked');
  if (blocked) return blocked;
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new ConnectorError('connector.timeout', undefined, { cause: err });
  return new ConnectorError('connector.delivery_failed', 'The connector failed unexpectedly.', { cause: err });
}

function retryDelay(err: ConnectorError, attempt: number, rules: DeliveryRules, random: () => number): number | null {
  if (err.code === 'connector.rate_limited') {
    const ra = err.details.retryAfter;
    if (typeof ra === 'number') return ra <= rules.maxRetryAfterSeconds ? ra * 1000 : null;
  }
  if (!err.retryable) return null;
  const base = rules.baseBackoffMs * 2 ** (attempt - 1);
  return base / 2 + random() * base; // jitter, so that many senders do not retry in step
}

/**
 * Sends one message with a timeout per attempt and bounded, jittered retries of transient
 * failures. Never throws: the outcome says what happened.
 */
export async function deliver(connector: Connector, message: EmailMessage, rules: DeliveryRules = DEFAULT_RULES, factoryId = 'unknown', time: DeliveryTime = realTime): Promise<DeliveryOutcome> {
  const started = time.now();
  let attempts = 0;
  let lastError: ConnectorError | undefined;
  while (attempts < rules.maxAttempts) {
    const elapsed = time.now() - started;
    const remaining = rules.totalBudgetMs - elapsed;
    if (remaining <= 0) break;
    attempts++;
    // A controller and a timer cleared when the attempt ends (AbortSignal.timeout would keep
    // its signal, listeners and the message alive for the whole timeout after every send).
    const controller = new AbortController();
    const { signal } = controller;
    let onAbort: (() => void) | undefined;
    // One span per attempt (lib/tracing.ts): factory, attempt number, outcome; no address.
    const span = startSpan('postern.delivery.attempt', { 'postern.connector.factory_id': factoryId, 'postern.delivery.attempt': attempts, 'postern.tenant_id': message.tenantId });
    const timer = setTimeout(() => controller.abort(new DOMException('The attempt timed out.', 'TimeoutError')), Math.min(rules.attemptTimeoutMs, remaining));
    try {
      const r = await Promise.race([
        span.run(() => connector.send(message, { signal })),
        new Promise<never>((_, reject) => {
          onAbort = () => reject(new ConnectorError('connector.timeout', 'The provider did not answer in time.', { cause: signal.reason }));
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
      span.set({ 'postern.delivery.outcome': r.captured === true ? 'captured' : 'ok' });
      span.end();
      return { ok: true, providerMessageId: r.providerMessageId ?? null, captured: r.captured === true, attempts, durationMs: time.now() - started };
    } catch (err) {
      lastError = asConnectorError(err);
      span.set({ 'postern.delivery.outcome': lastError.code, 'postern.delivery.retryable': lastError.retryable });
      span.end(lastError.code);
      const delay = retryDelay(lastError, attempts, rules, time.random);
      if (delay === null || attempts >= rules.maxAttempts) break;
      if (time.now() - started + delay >= rules.totalBudgetMs) break;
      clearTimeout(timer); // the attempt is over: its timer must not run through the back-off
      await time.sleep(delay);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }
  const error = lastError ?? new ConnectorError('connector.timeout', 'The delivery budget ran out.');
  (error as ConnectorError & { attempts?: number }).attempts = attempts;
  return { ok: false, providerMessageId: null, captured: false, attempts, durationMs: time.now() - started, error };
}
