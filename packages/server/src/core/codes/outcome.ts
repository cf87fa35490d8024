import { AppError } from '../errors.js';

export interface Verified {
  email: string;
  recipientKey: string;
  data: Record<string, unknown> | null;
}

/**
 * What `verify` found: the code was right, or one of the expected ways it was not. These
 * are results, not exceptions (a dead database still throws).
 */
export type VerifyOutcome =
  | ({ ok: true } & Verified)
  | { ok: false; reason: 'mismatch'; attemptsLeft: number }
  | { ok: false; reason: 'expired' }
  | { ok: false; reason: 'exhausted' }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'locked'; retryAfter: number };

export type VerifyFailure = Extract<VerifyOutcome, { ok: false }>;

/** The SPEC §6 error for a failed verification, as the API answers it. */
export function verificationError(f: VerifyFailure): AppError {
  switch (f.reason) {
    case 'mismatch':
      return new AppError(
        'verification_code.mismatch',
        f.attemptsLeft > 0
          ? `The code is wrong; ${f.attemptsLeft} attempt${f.attemptsLeft === 1 ? '' : 's'} left.`
          : 'The code is wrong, and that was the last attempt; ask for a new code.',
        { attemptsLeft: f.attemptsLeft },
      );
    case 'expired':
      return new AppError('verification_code.expired', 'The code has expired; ask for a new one.');
    case 'exhausted':
      return new AppError('verification_code.exhausted', 'Too many wrong codes; ask for a new one.');
    case 'locked':
      return new AppError(
        'verification_code.locked',
        `Too many wrong codes for this address; try again in ${f.retryAfter} seconds.`,
        { retryAfter: f.retryAfter },
        { headers: { 'retry-after': String(f.retryAfter) } },
      );
    default:
      return new AppError('verification_code.not_found', 'No pending verification matches; ask for a new code.');
  }
}

/** For flows that cannot go on without a right code: the verified code, or its error thrown. */
export function verifiedOrThrow(o: VerifyOutcome): Verified {
  if (!o.ok) throw verificationError(o);
  return { email: o.email, recipientKey: o.recipientKey, data: o.data };
}
