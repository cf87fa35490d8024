import { domainToASCII } from 'node:url';
import { AppError } from './errors.js';

export interface NormalizedEmail {
  /** What mail goes to: the local part as given, the domain lower-cased and in ASCII (UTS-46). */
  address: string;
  /** The lookup key: lower-cased local part plus that domain. */
  key: string;
}

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function refuse(reason: string, field: string): never {
  throw new AppError('request.invalid', `The email address is not valid: ${reason}.`, { issues: [{ path: field, message: reason }] });
}

/**
 * Normalises an address once, at the edge (SPEC §8). Refuses CR/LF and other control
 * characters, quoted local parts, comments, groups, display names and IP-literal domains:
 * anything an address parser downstream could read differently.
 */
export function normalizeEmail(input: unknown, field = 'email'): NormalizedEmail {
  if (typeof input !== 'string') refuse('must be a string', field);
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > 320) refuse('must be 1 to 320 characters', field);
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(trimmed)) refuse('control characters are not allowed', field);
  if (/["()<>,;:\\[\]\s]/.test(trimmed)) refuse('quoted parts, comments, groups and spaces are not allowed', field);
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at !== trimmed.indexOf('@')) refuse('must contain exactly one @ with a local part before it', field);
  const local = trimmed.slice(0, at);
  let domain = trimmed.slice(at + 1).replace(/\.$/, '');
  if (local.length > 64 || !LOCAL.test(local)) refuse('the part before @ has characters that are not allowed', field);
  domain = domainToASCII(domain.toLowerCase());
  if (!domain || domain.length > 253) refuse('the domain is not valid', field);
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1]!)) refuse('the domain is not valid', field);
  return { address: `${local}@${domain}`, key: `${local.toLowerCase()}@${domain}` };
}
