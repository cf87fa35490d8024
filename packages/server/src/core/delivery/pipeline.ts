import { ConnectorError, isConnectorError, type Connector, type EmailMessage } from '@postern/connector-kit';
import { destinationBlockedCause } from './outbound/index.js';

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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Wraps anything a connector threw into a ConnectorError, keeping it as the cause. */
export function asConnectorError(err: unknown): ConnectorError {
  if (isConnectorError(err)) return err;
  const blocked = destinationBlockedCause(err);
  if (blocked) return blocked;
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new ConnectorError('connector.timeout', undefined, { cause: err });
  return new ConnectorError('connector.delivery_failed', 'The connector failed unexpectedly.', { cause: err });
}

function retryDelay(err: ConnectorError, attempt: number, rules: DeliveryRules): number | null {
  if (err.code === 'connector.rate_limited') {
    const ra = err.details.retryAfter;
    if (typeof ra === 'number') return ra <= rules.maxRetryAfterSeconds ? ra * 1000 : null;
  }
  if (!err.retryable) return null;
  const base = rules.baseBackoffMs * 2 ** (attempt - 1);
  return base / 2 + Math.random() * base; // jitter, so that many senders do not retry in step
}

/**
 * Sends one message with a timeout per attempt and bounded, jittered retries of transient
 * failures. Never throws: the outcome says what happened.
 */
export async function deliver(connector: Connector, message: EmailMessage, rules: DeliveryRules = DEFAULT_RULES): Promise<DeliveryOutcome> {
  const started = performance.now();
  let attempts = 0;
  let lastError: ConnectorError | undefined;
  while (attempts < rules.maxAttempts) {
    const elapsed = performance.now() - started;
    const remaining = rules.totalBudgetMs - elapsed;
    if (remaining <= 0) break;
    attempts++;
    // A controller and a timer cleared when the attempt ends (AbortSignal.timeout would keep
    // its signal, listeners and the message alive for the whole timeout after every send).
    const controller = new AbortController();
    const { signal } = controller;
    let onAbort: (() => void) | undefined;
    const timer = setTimeout(() => controller.abort(new DOMException('The attempt timed out.', 'TimeoutError')), Math.min(rules.attemptTimeoutMs, remaining));
    try {
      const r = await Promise.race([
        connector.send(message, { signal }),
        new Promise<never>((_, reject) => {
          onAbort = () => reject(new ConnectorError('connector.timeout', 'The provider did not answer in time.', { cause: signal.reason }));
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
      return { ok: true, providerMessageId: r.providerMessageId ?? null, captured: r.captured === true, attempts, durationMs: performance.now() - started };
    } catch (err) {
      lastError = asConnectorError(err);
      const delay = retryDelay(lastError, attempts, rules);
      if (delay === null || attempts >= rules.maxAttempts) break;
      if (performance.now() - started + delay >= rules.totalBudgetMs) break;
      clearTimeout(timer); // the attempt is over: its timer must not run through the back-off
      await sleep(delay);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }
  const error = lastError ?? new ConnectorError('connector.timeout', 'The delivery budget ran out.');
  (error as ConnectorError & { attempts?: number }).attempts = attempts;
  return { ok: false, providerMessageId: null, captured: false, attempts, durationMs: performance.now() - started, error };
}
