import { Findings, dnsErrorText, type CheckResult } from './result.js';
import { lookupTxt, type TxtResolver } from './resolver.js';
import { LOOKUP_MECHANISMS, hasMacro, isSpfRecord, parseSpf, type ParsedSpf, type SpfQualifier } from './spf-parse.js';
import { PROVIDER_SPF_INCLUDES, PROVIDER_SPF_SUBDOMAIN, providerName } from './providers.js';

/** RFC 7208 §4.6.4. */
export const SPF_LOOKUP_LIMIT = 10;
// Bounds the work one check does against a hostile or looping record tree.
const MAX_FETCHES = 30;
const MAX_DEPTH = 10;

export interface SpfCheck {
  result: CheckResult;
  /** The name the SPF record belongs at (a provider subdomain for some providers). */
  spfDomain: string;
  /** A record to publish that fixes the failures found, where one can be derived. */
  suggestedRecord: string | null;
}

interface Walk {
  lookups: number;
  fetches: number;
  truncated: boolean;
  /** Names whose records use the deprecated ptr mechanism. */
  ptrAt: string[];
  /** Every include/redirect target seen anywhere in the tree, lower-cased. */
  targets: Set<string>;
  findings: Findings;
  resolve: TxtResolver;
}

/** Counts lookups in one record and follows its includes and redirect; returns the effective `all` qualifier. */
async function walkRecord(parsed: ParsedSpf, w: Walk, path: string[]): Promise<SpfQualifier | null> {
  let all: SpfQualifier | null = null;
  for (const term of parsed.terms) {
    if (term.kind !== 'mechanism') continue;
    if (LOOKUP_MECHANISMS.has(term.name)) w.lookups++;
    if (term.name === 'ptr' && !w.ptrAt.includes(path[path.length - 1]!)) w.ptrAt.push(path[path.length - 1]!);
    if (term.name === 'all' && all === null) all = term.qualifier;
    if (term.name === 'include' && term.domain) await follow(term.domain, 'include', w, path);
  }
  const redirect = parsed.terms.find((t) => t.kind === 'modifier' && t.name === 'redirect');
  // redirect= is ignored when the record has an all mechanism (RFC 7208 §6.1).
  if (redirect && redirect.kind === 'modifier' && all === null) {
    w.lookups++;
    return follow(redirect.value, 'redirect', w, path);
  }
  return all;
}

async function follow(
  target: string,
  via: 'include' | 'redirect',
  w: Walk,
  path: string[],
): Promise<SpfQualifier | null> {
  const name = target.toLowerCase().replace(/\.$/, '');
  const how = via === 'include' ? `include:${target}` : `redirect=${target}`;
  w.targets.add(name);
  if (hasMacro(name)) return null; // only a receiver can expand macros
  if (path.includes(name)) {
    w.findings.fail(
      `${how} loops back to a record that includes it; receivers give up with an error. Remove the loop.`,
    );
    return null;
  }
  if (path.length >= MAX_DEPTH || w.fetches >= MAX_FETCHES) {
    w.truncated = true;
    return null;
  }
  w.fetches++;
  const found = await lookupTxt(w.resolve, name);
  if (!found.ok) {
    if (found.missing)
      w.findings.fail(
        `${how} points at ${name}, which has no SPF record; receivers treat the whole SPF record as an error. Fix or remove ${how}.`,
      );
    else w.findings.fail(dnsErrorText(name, found.code));
    return null;
  }
  const records = found.records.filter(isSpfRecord);
  if (records.length !== 1) {
    w.findings.fail(
      records.length === 0
        ? `${how} points at ${name}, which has no SPF record; receivers treat the whole SPF record as an error. Fix or remove ${how}.`
        : `${name} (reached through ${how}) publishes ${records.length} SPF records; receivers treat that as an error. Ask its owner to merge them.`,
    );
    return null;
  }
  const parsed = parseSpf(records[0]!);
  for (const e of parsed.errors)
    w.findings.fail(`The SPF record of ${name} (reached through ${how}) has an error: ${e}.`);
  return walkRecord(parsed, w, [...path, name]);
}

/**
 * The record with the provider include added and a restrictive `all` at the end, as advice
 * to publish; null when the record relies on redirect= and cannot be rewritten safely.
 */
function suggest(current: string | null, include: string | null, all: SpfQualifier | null): string | null {
  const words = current ? current.trim().split(/\s+/).slice(1) : [];
  if (words.some((t) => /^redirect=/i.test(t)) && !words.some((t) => /^[-+~?]?all$/i.test(t))) return null;
  const isModifier = (t: string) => /^[a-z][a-z0-9_.-]*=/i.test(t);
  const kept = words.filter((t) => !/^[-+~?]?all$/i.test(t) && !isModifier(t));
  if (include && !kept.some((t) => t.toLowerCase() === `include:${include}`)) kept.push(`include:${include}`);
  return ['v=spf1', ...kept, all === '-' ? '-all' : '~all', ...words.filter(isModifier)].join(' ');
}

/**
 * Checks the SPF record of `domain` (or of the provider's envelope subdomain): exactly one
 * record, valid syntax, a restrictive `all`, at most 10 DNS lookups counted through nested
 * includes, and the active provider's include.
 */
export async function checkSpf(
  domain: string,
  providerId: string | undefined,
  resolve: TxtResolver,
): Promise<SpfCheck> {
  const f = new Findings();
  const sub = providerId ? PROVIDER_SPF_SUBDOMAIN[providerId] : undefined;
  const spfDomain = sub && !domain.startsWith(`${sub}.`) ? `${sub}.${domain}` : domain;
  const includes = providerId ? PROVIDER_SPF_INCLUDES[providerId] : undefined;
  const wanted = includes?.[0] ?? null;
  if (sub)
    f.note(
      `${providerName(providerId!)} sends with ${spfDomain} as the envelope sender, so the SPF record checked is the one at ${spfDomain}.`,
    );

  const found = await lookupTxt(resolve, spfDomain);
  if (!found.ok && !found.missing) {
    f.fail(dnsErrorText(spfDomain, found.code));
    return { result: f.result(null), spfDomain, suggestedRecord: null };
  }
  const records = found.ok ? found.records.filter(isSpfRecord) : [];
  if (records.length === 0) {
    f.fail(
      `${spfDomain} has no SPF record, so receivers cannot tell which servers may send its mail. Publish one TXT record starting with v=spf1.`,
    );
    return {
      result: f.result(null, 'missing'),
      spfDomain,
      suggestedRecord: wanted ? suggest(null, wanted, null) : null,
    };
  }
  if (records.length > 1) {
    f.fail(
      `${spfDomain} publishes ${records.length} SPF records; receivers treat that as an error and SPF fails. Publish exactly one: merge them into a single v=spf1 record.`,
    );
    return { result: f.result(records.join('\n')), spfDomain, suggestedRecord: null };
  }

  const record = records[0]!;
  const parsed = parseSpf(record);
  for (const e of parsed.errors) f.fail(`Syntax error: ${e}. Receivers reject the whole record until it is fixed.`);
  const w: Walk = { lookups: 0, fetches: 0, truncated: false, ptrAt: [], targets: new Set(), findings: f, resolve };
  const all = await walkRecord(parsed, w, [spfDomain]);

  if (all === '+')
    f.fail('The record ends in +all, which lets every server on the internet send as this domain. Use -all or ~all.');
  else if (all === '?')
    f.warn('The record ends in ?all (neutral), which tells receivers nothing about other servers. Use -all or ~all.');
  else if (all === null && !w.truncated)
    f.warn('The record has no all mechanism, so other servers get a neutral result. End it with -all or ~all.');

  if (w.ptrAt.length > 0) {
    f.warn(
      `The ptr mechanism (used in the record of ${w.ptrAt.join(', ')}) is deprecated (RFC 7208 §5.5) and slow; some receivers ignore it. Replace it with ip4:, ip6: or include:.`,
    );
  }
  if (w.lookups > SPF_LOOKUP_LIMIT || w.truncated) {
    const count = w.truncated ? `more than ${w.lookups}` : String(w.lookups);
    f.fail(
      `The record needs ${count} DNS lookups (include, a, mx, ptr, exists and redirect, counted through nested includes); receivers stop at ${SPF_LOOKUP_LIMIT} and SPF fails. Replace includes you no longer use, or list addresses with ip4:/ip6:.`,
    );
  }

  let missingInclude: string | null = null;
  if (!providerId) {
    f.note('No active email connector was given, so the provider include was not checked.');
  } else if (!includes) {
    f.note(
      `Postern does not know which SPF include ${providerName(providerId)} needs, so that check was skipped; make sure the record authorizes the servers that send your mail.`,
    );
  } else if (!includes.some((i) => w.targets.has(i))) {
    missingInclude = wanted;
    f.fail(
      `The record does not authorize ${providerName(providerId)}: add include:${wanted} before the all mechanism.`,
    );
  }
  const needsFix =
    parsed.errors.length === 0 && (missingInclude !== null || all === '+' || all === '?' || all === null);
  return {
    result: f.result(record),
    spfDomain,
    suggestedRecord: needsFix ? suggest(record, missingInclude, all) : null,
  };
}
