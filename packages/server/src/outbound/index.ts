/**
 * The outbound destination policy (SPEC §3.5): every connection a connector or a test
 * send makes goes through it, and it refuses loopback, private, link-local, CGNAT,
 * multicast, unspecified, metadata and reserved addresses unless POSTERN_OUTBOUND_ALLOW
 * lists them. The check runs on the resolved address at connect time and on every
 * redirect.
 *
 * @example
 * const policy = createOutboundPolicy({ allow: parseAllowList(process.env.POSTERN_OUTBOUND_ALLOW) });
 * const ctx = { fetch: policy.fetch, lookup: policy.lookup, assertDestination: policy.assertDestination, … };
 * // at shutdown
 * await policy.close();
 */
import type { Dispatcher } from 'undici';
import type { LookupFunction } from '@postern/connector-kit';
import { createPolicyDispatcher, createPolicyFetch } from './http.js';
import { DestinationChecker, type ResolveFunction } from './policy.js';

export { parseAllowList } from './allow-list.js';
export { classifyAddress, type BlockReason } from './address.js';
export { DESTINATION_BLOCKED, DestinationBlockedError, destinationBlockedCause } from './policy.js';

export interface OutboundPolicyOptions {
  /** Entries of POSTERN_OUTBOUND_ALLOW: CIDRs (v4/v6), single IPs, or host names (exact, case-insensitive; a leading "*." or "." matches subdomains). */
  allow?: readonly string[];
  /** DNS resolution, injectable for tests; default dns.lookup with {all:true}. */
  resolve?: ResolveFunction;
  /** Max redirects followed by fetch (default 5). */
  maxRedirects?: number;
  /** Extra trusted CA certificates (PEM) for the dispatcher's TLS connections: a private CA, or a test peer's certificate. */
  ca?: string | readonly string[];
}

export interface OutboundPolicy {
  /**
   * Why an address is blocked ('loopback' | 'private' | 'link-local' | 'cgnat' |
   * 'multicast' | 'unspecified' | 'metadata' | 'reserved' | 'invalid'), or null when it
   * may be reached. IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64,
   * 6to4) are judged by that address. Allow-listed addresses are null.
   */
  classify(address: string): string | null;
  /**
   * Throws ConnectorError('connector.destination_blocked', …, {details:{host, address, reason}})
   * for a blocked literal IP or a host name whose resolved addresses include a blocked one
   * (unless the host name itself is allow-listed); `connector.unavailable` when the name
   * does not resolve.
   */
  assertDestination(host: string): Promise<void>;
  /** Whether POSTERN_OUTBOUND_ALLOW lists the host itself (by name, or an IP literal by address). */
  allowsHost(host: string): boolean;
  /**
   * dns.lookup-compatible: resolves, checks every address, and calls back with a
   * DestinationBlockedError (`code: 'EDESTINATIONBLOCKED'`, the ConnectorError as `cause`)
   * when blocked. For socket clients: `net.connect({host, port, lookup})`.
   */
  lookup: LookupFunction;
  /** An undici Agent (keep-alive) whose connect step resolves through the policy and connects to the checked address. */
  dispatcher: Dispatcher;
  /**
   * fetch over that dispatcher, following up to maxRedirects redirects by hand and
   * checking each hop; non-http(s) schemes are refused. Blocked → rejects with the
   * ConnectorError. Any `dispatcher` or `redirect` in init is ignored.
   */
  fetch: typeof fetch;
  /** Closes the agent's pooled connections (waits for requests in flight). */
  close(): Promise<void>;
}

export function createOutboundPolicy(opts: OutboundPolicyOptions = {}): OutboundPolicy {
  const checker = new DestinationChecker(opts.allow ?? [], opts.resolve);
  const agent = createPolicyDispatcher(checker, opts.ca);
  return {
    classify: (address) => checker.classify(address),
    assertDestination: (host) => checker.assertDestination(host),
    allowsHost: (host) => checker.allows(host),
    lookup: checker.lookup,
    dispatcher: agent,
    fetch: createPolicyFetch(agent, opts.maxRedirects ?? 5),
    close: () => agent.close(),
  };
}
