/** Assertions the provider connector tests share. */
import { expect } from 'vitest';
import { isConnectorError, type ConnectorError, type ConnectorErrorCode } from '@postern/connector-kit';
import { startHttpPeer } from './http-peer.test-helpers.js';

/** Awaits a send that must fail with `code`, checks no secret shows anywhere, returns the error. */
export async function expectFailure(
  p: Promise<unknown>,
  code: ConnectorErrorCode,
  secrets: string[] = [],
): Promise<ConnectorError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}, but the send succeeded`).toBeDefined();
  if (!isConnectorError(caught)) throw new Error(`expected a ConnectorError, got ${String(caught)}`);
  expect(caught.code, caught.message).toBe(code);
  const cause = caught.cause as { message?: unknown; body?: unknown } | undefined;
  const shown = JSON.stringify({
    message: caught.message,
    details: caught.details,
    cause: cause?.message,
    body: cause?.body,
  });
  for (const s of secrets) expect(shown.includes(s), 'the error shows a secret').toBe(false);
  return caught;
}

/** A loopback URL where nothing listens (connection refused). */
export async function refusedUrl(): Promise<string> {
  const peer = await startHttpPeer(() => ({ status: 200 }));
  await peer.close();
  return peer.url;
}

export const signal = () => AbortSignal.timeout(10_000);

/**
 * Starts a send against a peer that hangs, aborts it once the peer holds the request, and
 * expects `connector.timeout`: the abort must reach the request in flight.
 */
export async function expectAbortInFlight(
  peer: { hang: boolean; nextRequest(): Promise<void> },
  send: (signal: AbortSignal) => Promise<unknown>,
): Promise<ConnectorError> {
  peer.hang = true;
  try {
    const ac = new AbortController();
    const arrived = peer.nextRequest();
    const pending = send(ac.signal);
    await arrived;
    ac.abort(new DOMException('timed out', 'TimeoutError'));
    return await expectFailure(pending, 'connector.timeout');
  } finally {
    peer.hang = false;
  }
}
