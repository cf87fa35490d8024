import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { AppError } from '../errors.js';

/** Longest password accepted, so that hashing cannot be turned into a denial of service. */
export const MAX_PASSWORD_LENGTH = 256;

// argon2id with the OWASP baseline (19 MiB, 2 passes). @node-rs/argon2 runs it on the
// libuv thread pool, so hashing never blocks the event loop. (`Algorithm` is a const enum.)
const OPTIONS = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Checks a password against the sign-in experience's policy (SPEC §7). */
export function checkPasswordPolicy(password: string, policy: { minLength: number }, field = 'password'): void {
  const length = [...password].length;
  if (length < policy.minLength || length > MAX_PASSWORD_LENGTH) {
    throw new AppError('password.policy_violation', `The password must be ${policy.minLength} to ${MAX_PASSWORD_LENGTH} characters long.`, {
      field,
      minLength: policy.minLength,
      maxLength: MAX_PASSWORD_LENGTH,
    });
  }
}

export class Passwords {
  private dummy: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return hash(password, OPTIONS);
  }

  /**
   * Verifies a password; with no stored hash (unknown user, code-only account) it verifies
   * against a dummy hash, so the answer takes as long as a real check.
   */
  async verify(stored: string | null | undefined, password: string): Promise<boolean> {
    if (!stored) {
      this.dummy ??= hash('postern-dummy-password-for-timing', OPTIONS);
      await verify(await this.dummy, password).catch(() => false);
      return false;
    }
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }
}
