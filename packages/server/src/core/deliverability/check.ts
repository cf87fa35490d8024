import { checkSpf } from './spf.js';
import { checkDkim } from './dkim.js';
import { checkDmarc } from './dmarc.js';
import { dkimDnsValue } from './dkim-key.js';
import { normalizeDomain, normalizeSelector } from './names.js';
import type { TxtResolver } from './resolver.js';
import type { CheckResult } from './result.js';

export interface DomainReport {
  domain: string;
  spf: CheckResult;
  dkim: CheckResult;
  dmarc: CheckResult;
  /** Plain-words steps: always the separate-subdomain advice, then one per failing or missing check. */
  advice: string[];
}

export interface CheckDomainOptions {
  domain: string;
  dkimSelector?: string;
  /** The active connector's factory id, to check its SPF include. */
  providerId?: string;
  /** The stored key for that selector, if any: the published key must equal it. */
  expectedDkimPublicKeyPem?: string;
  resolve: TxtResolver;
}

const failing = (r: CheckResult) => r.status === 'fail' || r.status === 'missing';

/**
 * Checks SPF, DKIM and DMARC for `domain` over `resolve`. DNS trouble is reported in the
 * results, never thrown; a malformed domain or selector throws DeliverabilityInputError.
 */
export async function checkDomain(opts: CheckDomainOptions): Promise<DomainReport> {
  const domain = normalizeDomain(opts.domain);
  const selector =
    opts.dkimSelector === undefined || opts.dkimSelector === ''
      ? undefined
      : normalizeSelector(opts.dkimSelector, 'dkimSelector');
  const [spf, dkim, dmarc] = await Promise.all([
    checkSpf(domain, opts.providerId, opts.resolve),
    checkDkim({
      domain,
      selector,
      providerId: opts.providerId,
      expectedDkimPublicKeyPem: opts.expectedDkimPublicKeyPem,
      resolve: opts.resolve,
    }),
    checkDmarc(domain, opts.resolve),
  ]);

  const advice = [
    `Send sign-in mail from its own subdomain (for example auth.${domain}), apart from marketing mail, so that complaints about newsletters cannot hurt the delivery of sign-in codes.`,
  ];
  if (failing(spf.result)) {
    advice.push(
      spf.suggestedRecord
        ? `SPF: publish one TXT record at ${spf.spfDomain}: "${spf.suggestedRecord}".`
        : `SPF: publish exactly one TXT record at ${spf.spfDomain} that starts with v=spf1, lists the servers that send your mail (ip4:, ip6:, include:) within 10 DNS lookups, and ends in ~all or -all.`,
    );
  }
  if (failing(dkim)) {
    if (!selector) advice.push('DKIM: run the check again with the selector of the key that signs your mail.');
    else if (opts.expectedDkimPublicKeyPem) {
      advice.push(
        `DKIM: publish a TXT record at ${selector}._domainkey.${domain}: "${dkimDnsValue(opts.expectedDkimPublicKeyPem)}".`,
      );
    } else {
      advice.push(
        `DKIM: publish a TXT record at ${selector}._domainkey.${domain} with the key your provider (or POST /api/dkim-keys) gives you, "v=DKIM1; k=rsa; p=<key>".`,
      );
    }
  }
  if (failing(dmarc)) {
    advice.push(
      `DMARC: publish a TXT record at _dmarc.${domain}: "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@${domain}".`,
    );
  }
  return { domain, spf: spf.result, dkim, dmarc, advice };
}
