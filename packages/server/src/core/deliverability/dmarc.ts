import { Findings, dnsErrorText, type CheckResult } from './result.js';
import { lookupTxt, type TxtResolver } from './resolver.js';
import { parseTagList } from './tags.js';

const POLICIES = new Set(['none', 'quarantine', 'reject']);

/**
 * Parent names to try when a subdomain has no DMARC record, nearest first. Without a public
 * suffix list this walks up the tree (as DMARCbis does) and stops above the last two labels.
 */
function parentDomains(domain: string): string[] {
  const labels = domain.split('.');
  const out: string[] = [];
  for (let i = 1; i <= labels.length - 2 && out.length < 7; i++) out.push(labels.slice(i).join('.'));
  return out;
}

type Found =
  { kind: 'record'; at: string; records: string[] } | { kind: 'none' } | { kind: 'error'; name: string; code: string };

async function find(domain: string, resolve: TxtResolver): Promise<Found> {
  for (const at of [domain, ...parentDomains(domain)]) {
    const name = `_dmarc.${at}`;
    const found = await lookupTxt(resolve, name);
    if (!found.ok && !found.missing) return { kind: 'error', name, code: found.code };
    const records = found.ok ? found.records.filter((r) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(r.trim())) : [];
    if (records.length > 0) return { kind: 'record', at, records };
  }
  return { kind: 'none' };
}

/**
 * Checks the DMARC policy that applies to `domain`: its own `_dmarc` record, else the
 * nearest parent's (whose `sp=` applies to subdomains). `p=quarantine`/`reject` passes,
 * `p=none` warns; a missing `rua` or `pct` below 100 warns.
 */
export async function checkDmarc(domain: string, resolve: TxtResolver): Promise<CheckResult> {
  const f = new Findings();
  const found = await find(domain, resolve);
  if (found.kind === 'error') {
    f.fail(dnsErrorText(found.name, found.code));
    return f.result(null);
  }
  if (found.kind === 'none') {
    f.fail(
      `There is no DMARC record at _dmarc.${domain}, so receivers apply no policy to mail that fails SPF and DKIM, and you get no reports. Publish one.`,
    );
    return f.result(null, 'missing');
  }
  const inherited = found.at !== domain;
  if (inherited) f.note(`${domain} has no DMARC record of its own; receivers use the one at _dmarc.${found.at}.`);
  if (found.records.length > 1) {
    f.fail(
      `_dmarc.${found.at} publishes ${found.records.length} DMARC records; receivers then ignore DMARC entirely. Keep exactly one.`,
    );
    return f.result(found.records.join('\n'));
  }
  const record = found.records[0]!;
  const parsed = parseTagList(record);
  if (!parsed.ok) {
    f.fail(`The DMARC record is malformed: ${parsed.error}. Receivers ignore it until it is fixed.`);
    return f.result(record);
  }
  const { tags } = parsed;
  const p = tags.get('p')?.toLowerCase();
  const sp = tags.get('sp')?.toLowerCase();
  if (p === undefined || !POLICIES.has(p)) {
    f.fail(
      `The DMARC record needs p=none, p=quarantine or p=reject${p === undefined ? '' : ` (it has p=${p})`}; receivers ignore it until it does.`,
    );
    return f.result(record);
  }
  if (sp !== undefined && !POLICIES.has(sp)) f.fail(`sp=${sp} is not a DMARC policy; use none, quarantine or reject.`);
  for (const tag of ['adkim', 'aspf'] as const) {
    const value = tags.get(tag)?.toLowerCase();
    if (value !== undefined && value !== 'r' && value !== 's')
      f.fail(`${tag}=${value} is not valid; use r (relaxed) or s (strict).`);
  }
  const pctText = tags.get('pct');
  const pct = pctText === undefined ? 100 : /^\d{1,3}$/.test(pctText) ? Number(pctText) : NaN;
  if (Number.isNaN(pct) || pct > 100) f.fail(`pct=${pctText ?? ''} is not a percentage from 0 to 100.`);
  for (const tag of ['rua', 'ruf'] as const) {
    const value = tags.get(tag);
    if (
      value !== undefined &&
      !value.split(',').every((u) => /^mailto:[^\s@]+@[^\s@]+$/i.test(u.trim().replace(/!\d+[kmgt]?$/i, '')))
    ) {
      f.fail(`${tag}= must list mailto: addresses, as in ${tag}=mailto:dmarc@${found.at}.`);
    }
  }
  const policy = inherited && sp !== undefined && POLICIES.has(sp) ? sp : p;
  const source = policy === sp && inherited ? `sp=${sp}` : `p=${p}`;
  if (policy === 'none') {
    f.warn(
      `The policy is ${source}: receivers deliver mail that fails authentication anyway, so anyone can send as this domain. Move to p=quarantine, then p=reject, once the reports show your mail passes.`,
    );
  } else if (!Number.isNaN(pct) && pct < 100) {
    f.warn(`pct=${pct} applies the ${policy} policy to only ${pct}% of failing mail. Raise it to 100.`);
  }
  if (tags.get('rua') === undefined) {
    f.warn(
      `The record has no rua= address, so you receive no reports about who sends as this domain. Add rua=mailto:dmarc-reports@${found.at}.`,
    );
  }
  return f.result(record);
}
