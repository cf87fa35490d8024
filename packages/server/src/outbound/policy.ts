import { promises as dns } from 'node:dns';
import { ConnectorError, findConnectorError, isConnectorError, type LookupFunction } from '@postern/connector-kit';
import { classifyParsed, parseAddress, type BlockReason } from './address.js';
import { AllowList, canonicalHost } from './allow-list.js';

export type ResolveFunction = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

/** The error code a blocked `lookup` calls back with, as socket clients expect an errno-style code. */
export const DESTINATION_BLOCKED = 'EDESTINATIONBLOCKED';

/**
 * What a socket sees when the policy refuses a destination: an errno-style error
 * (`code: 'EDESTINATIONBLOCKED'`) carrying the ConnectorError as `cause`.
 */
export class DestinationBlockedError extends Error {
  readonly code = DESTINATION_BLOCKED;
  override readonly cause: ConnectorError;
  constructor(cause: ConnectorError) {
    super(cause.message, { cause });
    this.name = 'DestinationBlockedError';
    this.cause = cause;
  }
}

/**
 * Finds the policy's ConnectorError in an error's cause chain (fetch wraps socket errors
 * in `TypeError: fetch failed`, SMTP clients pass them on), or undefined.
 */
export function destinationBlockedCause(err: unknown): ConnectorError | undefined {
  return findConnectorError(err, 'connector.destination_blocked');
}

export function blockedError(host: string, address: string, reason: string): ConnectorError {
  return new ConnectorError('connector.destination_blocked', `Outbound connections to ${host} are not allowed (${reason} address).`, {
    details: { host, address, reason },
  });
}

const defaultResolve: ResolveFunction = async (hostname) => {
  const results = await dns.lookup(hostname, { all: true, verbatim: true });
  return results.map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
};

/** The address checks shared by assertDestination, lookup and the HTTP dispatcher. */
export class DestinationChecker {
  private readonly allow: AllowList;
  private readonly resolveHost: ResolveFunction;

  constructor(allow: readonly string[], resolve: ResolveFunction = defaultResolve) {
    this.allow = new AllowList(allow);
    this.resolveHost = resolve;
  }

  classify(address: string): BlockReason | null {
    const parsed = parseAddress(address);
    if (!parsed) return 'invalid';
    if (this.allow.hasAddress(parsed.address, parsed.family)) return null;
    return classifyParsed(parsed, (v4) => this.allow.hasAddress(v4, 4));
  }

  /** Whether POSTERN_OUTBOUND_ALLOW lists this host: by name, or (an IP literal) by address. */
  allows(host: string): boolean {
    const name = canonicalHost(host);
    const literal = parseAddress(name);
    if (literal) return this.allow.hasAddress(literal.address, literal.family);
    return this.allow.hasHost(name);
  }

  /** The ConnectorError for a literal IP that is blocked; undefined for an allowed one. */
  checkLiteral(host: string, address: string): ConnectorError | undefined {
    const reason = this.classify(address);
    return reason ? blockedError(host, address, reason) : undefined;
  }

  /**
   * Resolves a host (or takes its literal IP) and checks every address. Refuses the whole
   * answer when any address is blocked, so a mixed answer cannot steer a retry onto the
   * blocked one. DNS failures reject with the resolver's own error.
   */
  async resolve(host: string): Promise<Array<{ address: string; family: 4 | 6 }>> {
    const name = canonicalHost(host);
    const literal = parseAddress(name);
    if (literal) {
      const blocked = this.checkLiteral(name, name);
      if (blocked) throw blocked;
      return [{ address: name, family: literal.family }];
    }
    const addresses = await this.resolveHost(name);
    if (this.allow.hasHost(name)) return addresses;
    for (const { address } of addresses) {
      const blocked = this.checkLiteral(name, address);
      if (blocked) throw blocked;
    }
    return addresses;
  }

  async assertDestination(host: string): Promise<void> {
    try {
      await this.resolve(host);
    } catch (err) {
      if (isConnectorError(err)) throw err;
      throw new ConnectorError('connector.unavailable', `The host ${canonicalHost(host)} could not be resolved.`, {
        details: { host: canonicalHost(host) },
        cause: err,
      });
    }
  }

  /** A dns.lookup-compatible function over {@link resolve}, for net/tls and HTTP agents. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    // dns.lookup also accepts (hostname, callback) and a bare family number.
    let cb = callback;
    let opts: { family?: number | string; all?: boolean } = {};
    if (typeof options === 'function') cb = options as unknown as typeof callback;
    else if (typeof options === 'number') opts = { family: options };
    else if (options) opts = options;
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family ?? 0);

    this.resolve(hostname).then(
      (all) => {
        const matching = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        const first = matching[0];
        if (!first) {
          const err: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
            code: 'ENOTFOUND',
            hostname,
          });
          process.nextTick(cb, err, opts.all ? [] : '');
          return;
        }
        if (opts.all) process.nextTick(cb, null, matching);
        else process.nextTick(cb, null, first.address, first.family);
      },
      (err: unknown) => {
        const blocked = destinationBlockedCause(err);
        // Outside the promise chain, so an exception in the socket's callback is not
        // swallowed as an unhandled rejection of ours.
        process.nextTick(cb, blocked ? new DestinationBlockedError(blocked) : (err as NodeJS.ErrnoException), opts.all ? [] : '');
      },
    );
  };
}
