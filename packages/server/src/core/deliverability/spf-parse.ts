import { isIPv4, isIPv6 } from 'node:net';
import { asciiHostname } from './names.js';

export type SpfQualifier = '+' | '-' | '~' | '?';
export type SpfMechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

export type SpfTerm =
  | { kind: 'mechanism'; qualifier: SpfQualifier; name: SpfMechanismName; domain?: string; raw: string }
  | { kind: 'modifier'; name: string; value: string; raw: string };

export interface ParsedSpf {
  terms: SpfTerm[];
  /** Plain-words syntax errors; any one makes receivers return permerror. */
  errors: string[];
}

/** Terms that cost one of the 10 DNS lookups RFC 7208 §4.6.4 allows. */
export const LOOKUP_MECHANISMS: ReadonlySet<string> = new Set(['include', 'a', 'mx', 'ptr', 'exists']);

/** True for a TXT record that is an SPF record (`v=spf1` then a space or nothing). */
export function isSpfRecord(txt: string): boolean {
  return /^v=spf1(\s|$)/i.test(txt.trim());
}

const MACRO = /%\{[slodiphcrtv]\d*r?[-.+,/_=]*\}|%[%_-]/gi;

/** A domain-spec (RFC 7208 §7.1): a host name, or a string with macros that only a receiver can expand. */
function validDomainSpec(spec: string): boolean {
  if (spec.includes('%')) {
    const rest = spec.replace(MACRO, 'x');
    return !rest.includes('%') && /^[\x21-\x7e]+$/.test(rest);
  }
  return asciiHostname(spec) !== null || /^_[a-z0-9_.-]+\.[a-z0-9.-]+$/i.test(spec);
}

export function hasMacro(spec: string): boolean {
  return spec.includes('%');
}

function cidr(value: string, max: number): boolean {
  return /^\d{1,3}$/.test(value) && Number(value) <= max && !(value.length > 1 && value.startsWith('0'));
}

/** Splits `domain/cidr4//cidr6` forms of a and mx; returns an error or the domain part. */
function parseDomainAndCidr(arg: string, raw: string, errors: string[]): string | undefined {
  const m = /^([^/]*)(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(arg);
  if (!m) {
    errors.push(`"${raw}" has a malformed prefix length`);
    return undefined;
  }
  const [, domain = '', c4, c6] = m;
  if (c4 !== undefined && !cidr(c4, 32)) errors.push(`"${raw}": /${c4} is not an IPv4 prefix length (0–32)`);
  if (c6 !== undefined && !cidr(c6, 128)) errors.push(`"${raw}": //${c6} is not an IPv6 prefix length (0–128)`);
  return domain === '' ? undefined : domain;
}

/** Parses an SPF record's terms and reports syntax errors in plain words (RFC 7208 §4.6.1, §12). */
export function parseSpf(record: string): ParsedSpf {
  const errors: string[] = [];
  const terms: SpfTerm[] = [];
  const words = record.trim().split(/\s+/).slice(1);
  const seenModifiers = new Set<string>();
  for (const raw of words) {
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(raw);
    if (modifier) {
      const name = modifier[1]!.toLowerCase();
      const value = modifier[2]!;
      if ((name === 'redirect' || name === 'exp') && seenModifiers.has(name))
        errors.push(`${name}= appears more than once`);
      if ((name === 'redirect' || name === 'exp') && !validDomainSpec(value))
        errors.push(`"${raw}" does not name a valid domain`);
      seenModifiers.add(name);
      terms.push({ kind: 'modifier', name, value, raw });
      continue;
    }
    const m = /^([-+~?]?)([a-z][a-z0-9_.-]*)(?::(.*?))?(\/.*)?$/i.exec(raw);
    const mech = m?.[2]?.toLowerCase();
    if (!m || !mech || !['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'].includes(mech)) {
      errors.push(`"${raw}" is not an SPF mechanism (use all, include:, a, mx, ip4:, ip6:, exists: or redirect=)`);
      continue;
    }
    const qualifier = (m[1] || '+') as SpfQualifier;
    const arg = m[3];
    const slash = m[4];
    const name = mech as SpfMechanismName;
    const term: SpfTerm = { kind: 'mechanism', qualifier, name, raw };
    if (name === 'all') {
      if (arg !== undefined || slash !== undefined) errors.push(`"${raw}": all takes no argument`);
    } else if (name === 'include' || name === 'exists') {
      if (!arg || slash !== undefined || !validDomainSpec(arg))
        errors.push(`"${raw}": ${name} needs a domain, as in ${name}:example.com`);
      else term.domain = arg;
    } else if (name === 'ptr') {
      if (slash !== undefined) errors.push(`"${raw}": ptr takes no prefix length`);
      if (arg !== undefined && !validDomainSpec(arg)) errors.push(`"${raw}" does not name a valid domain`);
      if (arg) term.domain = arg;
    } else if (name === 'ip4' || name === 'ip6') {
      const ok = name === 'ip4' ? isIPv4 : isIPv6;
      const len = slash?.slice(1);
      if (!arg || !ok(arg))
        errors.push(`"${raw}": ${arg ?? '(nothing)'} is not an ${name === 'ip4' ? 'IPv4' : 'IPv6'} address`);
      if (len !== undefined && !cidr(len, name === 'ip4' ? 32 : 128))
        errors.push(`"${raw}" has a malformed prefix length`);
    } else {
      // a and mx: optional domain and optional /cidr4 and //cidr6; the regex put "/…" in slash
      const domain = parseDomainAndCidr((arg ?? '') + (slash ?? ''), raw, errors);
      if (domain !== undefined && !validDomainSpec(domain)) errors.push(`"${raw}" does not name a valid domain`);
      if (domain) term.domain = domain;
    }
    terms.push(term);
  }
  return { terms, errors };
}
