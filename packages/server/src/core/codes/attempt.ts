import type { CodeAttempt, CodeAttemptDecision, CodeAttemptTarget, StoredCodeState } from '../ports.js';

/**
 * The rule of one attempt at a code, given the row the store read and holds (SPEC §6): a
 * code for another recipient or purpose (see purposeFits), or no longer active, does not exist as far as the
 * caller knows; an expired or exhausted code is not evaluated; otherwise the attempt counts,
 * and a match consumes the code. The store applies `update` guarded by the attempt count it
 * read, and answers `lost` when that guard finds the row changed (a racing attempt won).
 */
/** `T:flow` names one purpose; `*:flow` any template type of that flow (the verification id names it). */
export function purposeFits(stored: string, asked: string): boolean {
  if (asked.startsWith('*:')) return stored.slice(stored.indexOf(':')) === asked.slice(1);
  return stored === asked;
}

/**
 * Undefined when the code can take an attempt from this caller, else what an attempt would
 * answer (`not_found`, `expired`, `exhausted`) without evaluating the code. verify() asks
 * this of the probed code first, so that only an attempt at a real code of the recipient
 * costs a lockout point.
 */
export function refusal(code: StoredCodeState | undefined, q: CodeAttemptTarget): (CodeAttempt & { outcome: 'not_found' | 'expired' | 'exhausted' }) | undefined {
  // A code for another recipient or purpose does not exist, as far as this caller knows.
  if (!code || code.recipientKey !== q.recipientKey || !purposeFits(code.purpose, q.purpose) || code.status !== 'active') {
    return { outcome: 'not_found', attempts: 0, maxAttempts: 0 };
  }
  const base = { attempts: code.attempts, maxAttempts: code.maxAttempts };
  if (code.expiresAt <= q.now) return { outcome: 'expired', ...base };
  if (base.attempts >= base.maxAttempts) return { outcome: 'exhausted', ...base };
  return undefined;
}

export function decideAttempt(
  code: StoredCodeState | undefined,
  q: CodeAttemptTarget,
  matches: (codeHmac: string) => boolean,
): CodeAttemptDecision {
  const refused = refusal(code, q);
  if (refused || !code) return { result: refused ?? { outcome: 'not_found', attempts: 0, maxAttempts: 0 } };
  const base = { attempts: code.attempts, maxAttempts: code.maxAttempts };
  const ok = matches(code.codeHmac);
  const attempts = base.attempts + 1;
  const update = {
    attempts,
    previous: base.attempts,
    status: ok ? ('consumed' as const) : ('active' as const),
    consumedAt: ok ? q.now : null,
  };
  const lost: CodeAttempt = { outcome: 'not_found', attempts: base.attempts, maxAttempts: base.maxAttempts };
  if (!ok) return { result: { outcome: 'mismatch', attempts, maxAttempts: base.maxAttempts }, update, lost };
  return {
    result: { outcome: 'ok', attempts, maxAttempts: base.maxAttempts, email: code.email, payload: code.payload },
    update,
    lost,
  };
}
