import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Parses a master secret given as base64, base64url or hex; it must hold at least 32 bytes.
 * Returns null when it does not.
 */
export function parseMasterSecret(value: string): Buffer | null {
  const v = value.trim();
  let buf: Buffer | null = null;
  if (/^[0-9a-fA-F]+$/.test(v) && v.length % 2 === 0) buf = Buffer.from(v, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) buf = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return buf && buf.length >= 32 ? buf : null;
}

/** Derives a purpose-bound 32-byte key from the master secret with HKDF-SHA256. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `postern:${purpose}`, 32));
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A random token, base64url, with a readable prefix. */
export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/**
 * AES-256-GCM with a key id in every ciphertext, so that data written under an older
 * master secret stays readable after rotation (the old secret is kept for decryption).
 * Format: `v1.<kid>.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
export class Keyring {
  private readonly keys: Array<{ kid: string; key: Buffer }>;

  constructor(masters: Buffer[], purpose = 'encryption') {
    if (masters.length === 0) throw new Error('Keyring needs at least one secret');
    this.keys = masters.map((m) => {
      const key = deriveKey(m, purpose);
      return { kid: sha256Hex(key).slice(0, 8), key };
    });
  }

  get currentKid(): string {
    return this.keys[0]!.kid;
  }

  encrypt(plaintext: string, aad = ''): string {
    const { kid, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', kid, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  decrypt(payload: string, aad = ''): string {
    const [version, kid, iv, tag, ct] = payload.split('.');
    if (version !== 'v1' || !kid || !iv || !tag || ct === undefined) throw new Error('unreadable ciphertext');
    const entry = this.keys.find((k) => k.kid === kid);
    if (!entry) throw new Error(`no key for key id ${kid}: was POSTERN_SECRET changed without keeping the old one in POSTERN_SECRET_PREVIOUS?`);
    const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
