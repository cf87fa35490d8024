import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** Digits, and an upper-case alphabet without look-alikes (no 0/O, 1/I/L). */
export const ALPHABETS = {
  numeric: '0123456789',
  alphanumeric: 'ABCDEFGHJKMNPQRSTUVWXYZ23456789',
} as const;

export type Random = (maxExclusive: number) => number;
export const cryptoRandom: Random = (max) => randomInt(max);

/** A code of `length` characters, each drawn uniformly (randomInt has no modulo bias). */
export function generateCode(length: number, alphabet: keyof typeof ALPHABETS, random: Random = cryptoRandom): string {
  const chars = ALPHABETS[alphabet];
  let out = '';
  for (let i = 0; i < length; i++) out += chars[random(chars.length)];
  return out;
}

/** Codes are typed by people: spaces and dashes are ignored, letters are case-insensitive. */
export function canonicalCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase();
}

/** The stored form: HMAC-SHA256 bound to the verification id, so a hash is useless for any other code. */
export function codeHmac(key: Buffer, verificationId: string, code: string): string {
  return createHmac('sha256', key).update(`${verificationId}:${canonicalCode(code)}`).digest('base64url');
}

export function hmacEquals(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * The secret half of a magic link (SPEC §19): an HMAC over the code's id and its stored
 * HMAC, under the same key. Nothing more is stored for a link, a database without the key
 * cannot produce one, and the link dies with its code (used, replaced or expired).
 */
export function linkMac(key: Buffer, verificationId: string, storedCodeHmac: string): string {
  return createHmac('sha256', key).update(`magic-link:${verificationId}:${storedCodeHmac}`).digest('base64url');
}
