import { domainToASCII } from 'node:url';

/** Thrown for input that cannot be checked or used at all (a malformed domain or selector). */
export class DeliverabilityInputError extends Error {
  override readonly name = 'DeliverabilityInputError';
  constructor(
    /** The input field at fault, e.g. `domain` or `selector`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-cased ASCII (punycode) form of a host name, or null when it is not one. */
export function asciiHostname(input: string): string | null {
  // The URL parser behind domainToASCII drops tabs and line breaks ("example.com\r\nx" →
  // "example.comx"): refuse every control character before anything is trimmed away.
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(input)) return null;
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed === '' || trimmed.length > 253 || /[\s\u00a0]/.test(trimmed)) return null;
  const ascii = domainToASCII(trimmed).toLowerCase();
  if (ascii === '' || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  // An all-numeric last label is an IP address, not a domain.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return null;
  return ascii;
}

/** Validates a domain for DKIM/DNS use and returns its normalized form. */
export function normalizeDomain(input: unknown, field = 'domain'): string {
  const ascii = typeof input === 'string' ? asciiHostname(input) : null;
  if (!ascii) throw new DeliverabilityInputError(field, `${field} must be a domain name such as example.com`);
  return ascii;
}

/** Validates a DKIM selector: letters, digits, `-` and `_`, 1–63 characters. */
export function normalizeSelector(input: unknown, field = 'selector'): string {
  if (typeof input !== 'string' || !/^[A-Za-z0-9_-]{1,63}$/.test(input)) {
    throw new DeliverabilityInputError(field, `${field} must be 1–63 letters, digits, "-" or "_"`);
  }
  return input.toLowerCase();
}
