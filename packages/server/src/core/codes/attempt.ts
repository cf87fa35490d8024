import type { CodeAttempt, CodeAttemptDecision, CodeAttemptTarget, StoredCodeState } from '../ports.js';

/**
 * The rule of one attempt at a code, given the row the store read and holds (SPEC §6): a
 * code for another recipient or purpose, or no longer active, does not exist as far as the
 * caller knows; an expired or exhausted code is not evaluated; otherwise the attempt counts,
 * and a match consumes the code. The store applies `update` guarded by the attempt count it
 * read, and answers `lost` when that guard finds the row changed (a racing attempt won).
 */
export function decideAttempt(
  code: StoredCodeState | undefined,
  q: CodeAttemptTarget,
  matches: (codeHmac: string) => boolean,
): CodeAttemptDecision {
  if (!code || code.recipientKey !== q.recipientKey || code.purpose !== q.purpose || code.status !== 'active') {
    return { result: { outcome: 'not_found', attempts: 0, maxAttempts: 0 } };
  }
  const base = { attempts: code.attempts, maxAttempts: code.maxAttempts };
  if (code.expiresAt <= q.now) return { result: { outcome: 'expired', ...base } };
  if (base.attempts >= base.maxAttempts) return { result: { outcome: 'exhausted', ...base } };
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
