import { generateKeyPair, createPublicKey } from 'node:crypto';
import { promisify } from 'node:util';
import { normalizeDomain, normalizeSelector } from './names.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A freshly generated DKIM key and the DNS record that publishes it. */
export interface DkimKeyMaterial {
  domain: string;
  selector: string;
  /** `<selector>._domainkey.<domain>` */
  dnsName: string;
  /** `v=DKIM1; k=rsa; p=<base64 SPKI DER>` */
  dnsValue: string;
  /** TXT value split into ≤255-char strings, as DNS publishes it */
  dnsStrings: string[];
  /** PKCS#8 PEM; the caller encrypts it before storing it */
  privateKeyPem: string;
  /** SPKI PEM */
  publicKeyPem: string;
}

/** Builds the DKIM TXT value for an RSA public key (PEM or KeyObject input). */
export function dkimDnsValue(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `v=DKIM1; k=rsa; p=${der.toString('base64')}`;
}

/** Splits a TXT value into character-strings of at most 255 octets (RFC 1035 §3.3.14). */
export function splitTxtValue(value: string, size = 255): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += size) out.push(value.slice(i, i + size));
  return out.length ? out : [''];
}

/**
 * Generates an RSA-2048 DKIM key for `selector._domainkey.domain`.
 * Throws DeliverabilityInputError (with `field`) for a malformed domain or selector.
 */
export async function generateDkimKey(domain: string, selector: string): Promise<DkimKeyMaterial> {
  const d = normalizeDomain(domain);
  const s = normalizeSelector(selector);
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const dnsValue = dkimDnsValue(publicKey);
  return {
    domain: d,
    selector: s,
    dnsName: `${s}._domainkey.${d}`,
    dnsValue,
    dnsStrings: splitTxtValue(dnsValue),
    privateKeyPem: privateKey,
    publicKeyPem: publicKey,
  };
}
