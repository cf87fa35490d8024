import { promises as dns } from 'node:dns';
import { DeliverabilityInputError } from './names.js';

/** Looks up TXT records like `dns.promises.resolveTxt`; rejects with `code` ENOTFOUND/ENODATA when there are none. */
export type TxtResolver = (name: string) => Promise<string[][]>;

/**
 * A TXT resolver over `servers` (`ip[:port]`, IPv6 as `[ip]:port`, i.e. POSTERN_DNS_SERVERS),
 * or over the system's resolvers when the list is empty. Each query times out after 3 s
 * and is tried twice.
 */
export function createResolver(servers: string[]): TxtResolver {
  const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
  if (servers.length > 0) {
    try {
      resolver.setServers(servers);
    } catch (err) {
      throw new DeliverabilityInputError(
        'servers',
        `DNS servers must be ip[:port] addresses: ${(err as Error).message}`,
      );
    }
  }
  return (name) => resolver.resolveTxt(name);
}

/** The outcome of one TXT lookup, with "no such record" as a value rather than an exception. */
export type TxtLookup =
  { ok: true; records: string[] } | { ok: false; missing: true } | { ok: false; missing: false; code: string };

const MISSING = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** Resolves TXT at `name` and joins each record's strings, as SPF, DKIM and DMARC read them. */
export async function lookupTxt(resolve: TxtResolver, name: string): Promise<TxtLookup> {
  try {
    const rows = await resolve(name);
    return { ok: true, records: rows.map((strings) => strings.join('')) };
  } catch (err) {
    const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'EUNKNOWN';
    if (MISSING.has(code)) return { ok: false, missing: true };
    return { ok: false, missing: false, code };
  }
}
