import { createPublicKey, type KeyObject } from 'node:crypto';

/** The verification key SendGrid shows (base64 DER SubjectPublicKeyInfo of a P-256 key), or null. */
export function sendgridPublicKey(value: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : null;
  } catch {
    return null;
  }
}
