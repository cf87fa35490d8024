import { createPublicKey, type KeyObject } from 'node:crypto';
import { Findings, dnsErrorText, type CheckResult } from './result.js';
import { lookupTxt, type TxtResolver } from './resolver.js';
import { parseTagList } from './tags.js';
import { PROVIDER_DKIM_SELECTOR_HINT } from './providers.js';

export interface DkimCheckInput {
  domain: string;
  selector?: string;
  providerId?: string;
  expectedDkimPublicKeyPem?: string;
  resolve: TxtResolver;
}

function readRsaKey(der: Buffer): KeyObject | null {
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // try the next encoding
    }
  }
  return null;
}

function sameKey(published: KeyObject, expectedPem: string): boolean {
  const expected = createPublicKey(expectedPem).export({ type: 'spki', format: 'der' });
  return published.export({ type: 'spki', format: 'der' }).equals(expected);
}

/**
 * Checks the DKIM key at `<selector>._domainkey.<domain>`: present, not revoked, RSA of at
 * least 2048 bits (1024 warns), and equal to the key Postern signs with when one is given.
 */
export async function checkDkim(input: DkimCheckInput): Promise<CheckResult> {
  const f = new Findings();
  const { domain, selector, providerId, expectedDkimPublicKeyPem } = input;
  if (!selector) {
    const hint = providerId ? PROVIDER_DKIM_SELECTOR_HINT[providerId] : undefined;
    f.fail(
      `No DKIM selector was given, so DKIM was not checked. Give the selector you sign with (for a Postern key, the selector it was created with)${hint ? `; ${hint}` : ''}.`,
    );
    return f.result(null, 'missing');
  }
  const name = `${selector}._domainkey.${domain}`;
  const found = await lookupTxt(input.resolve, name);
  if (!found.ok && !found.missing) {
    f.fail(dnsErrorText(name, found.code));
    return f.result(null);
  }
  const records = found.ok ? found.records.filter((r) => /(^|;)\s*p\s*=/i.test(r)) : [];
  if (records.length === 0) {
    f.fail(
      `There is no DKIM key at ${name}, so receivers cannot verify signatures made with the selector "${selector}". Publish the key as a TXT record there.`,
    );
    return f.result(null, 'missing');
  }
  if (records.length > 1) {
    f.fail(`${name} publishes ${records.length} DKIM records; receivers may pick either one. Keep exactly one.`);
    return f.result(records.join('\n'));
  }
  const record = records[0]!;
  const parsed = parseTagList(record);
  if (!parsed.ok) {
    f.fail(`The DKIM record is malformed: ${parsed.error}. Publish it again as "v=DKIM1; k=rsa; p=<key>".`);
    return f.result(record);
  }
  const { tags, order } = parsed;
  const v = tags.get('v');
  if (v !== undefined && (v !== 'DKIM1' || order[0] !== 'v')) {
    f.fail("The record's version tag must come first and read v=DKIM1.");
  }
  if (/(^|:)y(:|$)/i.test(tags.get('t') ?? '')) {
    f.warn(
      'The key is in test mode (t=y), so receivers may treat failed signatures as unsigned mail. Remove t=y once signing works.',
    );
  }
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  const p = (tags.get('p') ?? '').replace(/\s+/g, '');
  if (p === '') {
    f.fail(
      'The key has been revoked (p= is empty), so every signature with this selector fails. Publish the current key or sign with another selector.',
    );
    return f.result(record);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p)) {
    f.fail(
      'The key in p= is not valid base64; check that the record was pasted whole, without quotes or line breaks inside it.',
    );
    return f.result(record);
  }
  if (keyType === 'ed25519') {
    if (Buffer.from(p, 'base64').length !== 32) f.fail('The Ed25519 key in p= is not 32 bytes long.');
    else f.warn('The key is Ed25519, which many receivers do not verify yet; sign with an RSA-2048 key as well.');
    if (expectedDkimPublicKeyPem)
      f.fail(
        'The published key is not the one Postern signs with (Postern signs with an RSA key). Publish the record Postern generated.',
      );
    return f.result(record);
  }
  if (keyType !== 'rsa') {
    f.fail(`The key type k=${keyType} is not one receivers know; use k=rsa.`);
    return f.result(record);
  }
  const key = readRsaKey(Buffer.from(p, 'base64'));
  if (!key) {
    f.fail('The key in p= is not a valid RSA public key; check that the record was pasted whole.');
    return f.result(record);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024)
    f.fail(
      `The key has only ${bits} bits; receivers reject keys under 1024 bits. Generate an RSA-2048 key and publish it.`,
    );
  else if (bits < 2048)
    f.warn(
      `The key has ${bits} bits; 2048 bits is the recommended size and some receivers treat shorter keys as weak. Rotate to an RSA-2048 key.`,
    );
  if (expectedDkimPublicKeyPem && !sameKey(key, expectedDkimPublicKeyPem)) {
    f.fail(
      `The published key is not the one Postern signs with, so Postern's signatures fail. Publish the record Postern generated for the selector "${selector}".`,
    );
  }
  return f.result(record);
}
