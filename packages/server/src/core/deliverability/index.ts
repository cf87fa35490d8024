/**
 * Deliverability: DKIM key generation and the SPF/DKIM/DMARC check of a sending domain.
 * Pure domain code: storage, HTTP and the CLI are wired on top of these exports.
 */
export { generateDkimKey, dkimDnsValue, splitTxtValue, type DkimKeyMaterial } from './dkim-key.js';
export { createResolver, type TxtResolver } from './resolver.js';
export { checkDomain, type CheckDomainOptions, type DomainReport } from './check.js';
export type { CheckResult } from './result.js';
export { PROVIDER_SPF_INCLUDES } from './providers.js';
export { DeliverabilityInputError, normalizeDomain, normalizeSelector } from './names.js';
