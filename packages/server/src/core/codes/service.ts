import { timeOrderedId } from '../../lib/ids.js';
import type { TemplateType } from '@postern/connector-kit';
import { AppError } from '../errors.js';
import { normalizeEmail, type NormalizedEmail } from '../email-address.js';
import { emailSourceOf, type Clock, type CodeStore, type Tenant } from '../ports.js';
import type { EmailSender, SendOutcome, SendRequest } from '../delivery/sender.js';
import type { Outbox } from '../delivery/outbox.js';
import type { Metrics } from '../../lib/metrics.js';
import type { CodePolicy, CodePolicyService } from './policy.js';
import type { Bucket, RateLimits } from './ports.js';
import { codeHmac, cryptoRandom, generateCode, hmacEquals, linkMac, type Random } from './generate.js';
import { decideAttempt, purposeFits, refusal } from './attempt.js';
import type { VerifyOutcome } from './outcome.js';

export interface IssueRequest {
  tenant: Tenant;
  email: string | NormalizedEmail;
  /** The flow asking, e.g. `api`, `experience.sign-in`; with the template type it is the code's purpose. */
  flow: string;
  templateType: TemplateType;
  ip?: string | undefined;
  /** End-user flows count sends per client IP too. */
  limitIp?: boolean;
  locale?: string | undefined;
  acceptLanguage?: string | undefined;
  /** Extra template variables (e.g. `link`). */
  variables?: Record<string, unknown>;
  /** Kept with the code and handed back on success (e.g. the user id an MFA code is for). */
  data?: Record<string, unknown>;
  /**
   * `now` (default): send before answering, and fail with the connector error.
   * `background`: answer first and send afterwards, so the outcome never shows.
   * `none`: issue the code but send nothing (anti-enumeration for unknown addresses).
   */
  delivery?: 'now' | 'background' | 'none';
  /** Where the send came from, for the outbox (`api`, `experience`, `account`); from `flow` when absent. */
  source?: string;
  /**
   * A magic link rides with the code (SPEC §19): given the link token (`<id>.<mac>`), the
   * URL to put in the message as `link`. The code's `data` is marked so that only such a
   * code can be spent through its link.
   */
  magicLink?: (token: string) => string;
  /**
   * A link to the hosted page that takes this code (an admin's password reset): given the
   * verification id, the URL to put in the message as `link`. Unlike a magic link it spends
   * nothing; the code is still typed on the page.
   */
  pageLink?: (verificationId: string) => string;
}

export interface IssueResult {
  verificationId: string;
  expiresAt: string;
  /** Seconds until a resend is allowed. */
  resendAfter: number;
  delivered?: SendOutcome;
}

export interface VerifyRequest {
  tenant: Tenant;
  verificationId: string;
  email: string | NormalizedEmail;
  code: string;
  flow: string;
  /** Omitted: any template type of the flow (the verification id names the code's own). */
  templateType?: TemplateType | undefined;
}

export type { Verified, VerifyOutcome } from './outcome.js';

const isSuppressed = (err: unknown) => err instanceof AppError && err.code === 'recipient.suppressed';
/** The email log's source for a flow: `api`, `experience.sign-in` → `experience`, … */
const sourceOf = (flow: string) => flow.split('.')[0] ?? flow;

/** The payload mark of a code that may be spent through its magic link. */
const MAGIC_LINK = 'magicLink';

const purposeOf = (templateType: string, flow: string) => `${templateType}:${flow}`;

function tooMany(code: 'verification_code.rate_limited', retryAfter: number, message: string): AppError {
  return new AppError(code, message, { retryAfter }, { headers: { 'retry-after': String(retryAfter) } });
}

/**
 * Verification codes (SPEC §6): random from the policy alphabet, stored only as an HMAC
 * bound to the verification id, one attempt per transaction, with the resend cooldown,
 * hourly send limits and a per-recipient lockout budget that resends do not reset.
 */
export class VerificationCodes {
  constructor(
    private readonly store: CodeStore,
    private readonly policies: CodePolicyService,
    private readonly limits: RateLimits,
    private readonly sender: Pick<EmailSender, 'send' | 'recordSuppressed'>,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    private readonly hmacKey: Buffer,
    private readonly random: Random = cryptoRandom,
    /** Durable delivery (SPEC §15); without it messages are sent straight from memory (unit tests). */
    private readonly outbox?: Outbox,
    /** Event webhooks out (SPEC §16): `verification.failed_too_often`, `verification.rate_limited`. */
    private readonly events?: {
      emit(
        tenantId: string,
        type: 'verification.failed_too_often' | 'verification.rate_limited',
        data: Record<string, unknown>,
      ): Promise<void>;
    },
  ) {}

  private testCode(tenant: Tenant, policy: CodePolicy, addr: NormalizedEmail): string | undefined {
    if (tenant.type !== 'development') return undefined;
    return policy.testAddresses.find((t) => t.email.toLowerCase() === addr.key)?.code;
  }

  private async admit(
    buckets: Array<{ bucket: Bucket; kind: string; message: string }>,
    event?: { tenantId: string; data: Record<string, unknown> },
  ): Promise<void> {
    const results = await this.limits.hitAll(buckets.map((b) => b.bucket));
    const last = results.length - 1;
    const r = results[last];
    const b = buckets[last];
    if (!r || !b || r.allowed) return;
    // Counted up to the refusing bucket: the ones before it give their point back.
    await Promise.all(buckets.slice(0, last).map((t) => this.limits.undo(t.bucket)));
    this.metrics.rateLimitRejections.inc({ kind: b.kind });
    if (event)
      await this.events?.emit(event.tenantId, 'verification.rate_limited', {
        ...event.data,
        limit: b.kind,
        retryAfter: r.retryAfter,
      });
    throw tooMany('verification_code.rate_limited', r.retryAfter, b.message.replace('{s}', String(r.retryAfter)));
  }

  async issue(req: IssueRequest): Promise<IssueResult> {
    const tenantId = req.tenant.id;
    const policy = await this.policies.get(tenantId);
    const addr = typeof req.email === 'string' ? normalizeEmail(req.email) : req.email;
    const purpose = purposeOf(req.templateType, req.flow);
    const buckets: Array<{ bucket: Bucket; kind: string; message: string }> = [];
    if (policy.resendCooldownSeconds > 0) {
      buckets.push({
        kind: 'cooldown',
        bucket: {
          name: 'cooldown',
          key: `${tenantId}|${purpose}|${addr.key}`,
          points: 1,
          durationSeconds: policy.resendCooldownSeconds,
        },
        message: 'A code was sent a moment ago; you can ask for another in {s} seconds.',
      });
    }
    buckets.push({
      kind: 'recipient',
      bucket: {
        name: 'recipient-hour',
        key: `${tenantId}|${addr.key}`,
        points: policy.maxSendsPerRecipientPerHour,
        durationSeconds: 3600,
      },
      message: 'Too many codes were sent to this address; try again in {s} seconds.',
    });
    if (req.limitIp && req.ip) {
      buckets.push({
        kind: 'ip',
        bucket: {
          name: 'ip-hour',
          key: `${tenantId}|${req.ip}`,
          points: policy.maxSendsPerIpPerHour,
          durationSeconds: 3600,
        },
        message: 'Too many codes were requested from this network; try again in {s} seconds.',
      });
    }
    await this.admit(buckets, {
      tenantId,
      data: { email: addr.address, flow: req.flow, ...(req.ip ? { ip: req.ip } : {}) },
    });

    const now = this.clock.now();
    const fixed = this.testCode(req.tenant, policy, addr);
    const code = fixed ?? generateCode(policy.length, policy.alphabet, this.random);
    const id = timeOrderedId();
    const expiresAt = new Date(now.getTime() + policy.ttlSeconds * 1000).toISOString();
    const hmac = codeHmac(this.hmacKey, id, code);
    const payload = req.magicLink ? { ...req.data, [MAGIC_LINK]: true } : (req.data ?? null);
    const stored = {
      id,
      tenantId,
      recipientKey: addr.key,
      email: addr.address,
      purpose,
      codeHmac: hmac,
      maxAttempts: policy.maxAttempts,
      payload,
      expiresAt,
      createdAt: now.toISOString(),
    };
    const link = req.magicLink
      ? { link: req.magicLink(`${id}.${linkMac(this.hmacKey, id, hmac)}`) }
      : req.pageLink
        ? { link: req.pageLink(id) }
        : {};
    const result: IssueResult = { verificationId: id, expiresAt, resendAfter: policy.resendCooldownSeconds };
    const mode = req.delivery ?? 'now';
    if (mode === 'none' || fixed !== undefined) {
      await this.store.issue(stored);
      if (fixed !== undefined && mode !== 'none') {
        await this.sender.recordSuppressed('test-address', {
          tenantId,
          to: addr.address,
          templateType: req.templateType,
          subject: '(test address: no email sent)',
          source: emailSourceOf(req.source ?? sourceOf(req.flow)),
        });
      }
      return result;
    }
    const request: SendRequest = {
      tenantId,
      to: addr.address,
      templateType: req.templateType,
      locale: req.locale,
      acceptLanguage: req.acceptLanguage,
      variables: { ...req.variables, ...link, code, expiresInMinutes: Math.ceil(policy.ttlSeconds / 60), expiresAt },
      ip: req.ip,
      source: emailSourceOf(req.source ?? sourceOf(req.flow)),
    };
    if (this.outbox) {
      // The message is written with the code, in one transaction: a crash after this point
      // leaves a row that any instance delivers once its lease expires.
      const pending = this.outbox.prepare({
        request,
        source: req.source ?? sourceOf(req.flow),
        guard: { kind: 'code', id },
        notAfter: expiresAt,
      });
      await this.store.issue(stored, pending.row);
      if (mode === 'background') {
        this.outbox.dispatch(pending);
        return result;
      }
      const out = await this.outbox.deliverNow(pending).catch(async (err: unknown) => {
        await this.store.invalidate(tenantId, id);
        // End-user flows answer for a suppressed address exactly as for any other (no
        // enumeration); nothing was sent (the email log says so).
        if (isSuppressed(err) && req.flow.startsWith('experience.')) return undefined;
        throw err;
      });
      if (!out) return result;
      // A code that never reached anyone must not stay usable.
      if (!out.ok) {
        await this.store.invalidate(tenantId, id);
        throw out.error!;
      }
      return { ...result, delivered: out };
    }
    await this.store.issue(stored);
    const send = async () => {
      const out = await this.sender.send(request);
      if (!out.ok) await this.store.invalidate(tenantId, id);
      return out;
    };
    if (mode === 'background') {
      void send().catch((err: unknown) =>
        isSuppressed(err) ? undefined : this.store.invalidate(tenantId, id).catch(() => undefined),
      );
      return result;
    }
    let out: SendOutcome;
    try {
      out = await send();
    } catch (err) {
      // End-user flows answer for a suppressed address exactly as for any other (no
      // enumeration); the code stays, and nothing was sent (the email log says so).
      if (isSuppressed(err) && req.flow.startsWith('experience.')) return result;
      throw err;
    }
    if (!out.ok) throw out.error!;
    return { ...result, delivered: out };
  }

  /** Invalidates the code of an outbox message that ended failed or cancelled. */
  async giveUp(tenantId: string, verificationId: string): Promise<void> {
    await this.store.invalidate(tenantId, verificationId);
  }

  /**
   * Verifies and consumes a code. A wrong, expired, used-up, unknown or locked-out code is
   * an outcome (see verificationError for its SPEC §6 error), not an exception.
   */
  async verify(req: VerifyRequest): Promise<VerifyOutcome> {
    const tenantId = req.tenant.id;
    const policy = await this.policies.get(tenantId);
    const addr = typeof req.email === 'string' ? normalizeEmail(req.email) : req.email;
    const target = {
      tenantId,
      id: req.verificationId,
      recipientKey: addr.key,
      purpose: req.templateType ? purposeOf(req.templateType, req.flow) : `*:${req.flow}`,
      now: this.clock.now().toISOString(),
    };
    // Only an attempt at a real code of this recipient counts against the lockout: an
    // unknown or foreign verification id is answered without touching the budget, so a
    // flood of made-up ids can neither lock the recipient out nor hold points in flight
    // while the real code is tried.
    const probed = await this.store.probe(target);
    const refused = refusal(probed, target);
    if (refused) {
      this.metrics.verifications.inc({ outcome: refused.outcome });
      return { ok: false, reason: refused.outcome };
    }
    // The lockout point is taken before the code is evaluated, so that parallel guesses
    // can never evaluate more than the budget; a right or unevaluated guess gives it back.
    const lockout: Bucket = {
      name: 'lockout',
      key: `${tenantId}|${addr.key}`,
      points: policy.lockout.maxFailures,
      durationSeconds: policy.lockout.windowSeconds,
    };
    const gate = await this.limits.hit(lockout);
    if (!gate.allowed) {
      // A refused attempt is not a guess: give the point back so the budget counts guesses.
      await this.limits.undo(lockout);
      this.metrics.verifications.inc({ outcome: 'locked' });
      this.metrics.rateLimitRejections.inc({ kind: 'lockout' });
      return { ok: false, reason: 'locked', retryAfter: gate.retryAfter };
    }
    const expected = (h: string) => hmacEquals(h, codeHmac(this.hmacKey, req.verificationId, req.code));
    const a = await this.store.attempt(target, (code) => decideAttempt(code, target, expected), probed);
    this.metrics.verifications.inc({ outcome: a.outcome });
    if (a.outcome === 'mismatch') {
      if (gate.remaining === 0) await this.limits.block(lockout, policy.lockout.lockSeconds);
      // Once, when this wrong code ends the code's attempts or locks the address out.
      if (gate.remaining === 0 || a.attempts >= a.maxAttempts)
        await this.events?.emit(tenantId, 'verification.failed_too_often', {
          email: addr.address,
          flow: req.flow,
          verificationId: req.verificationId,
          locked: gate.remaining === 0,
          ...(gate.remaining === 0 ? { lockedForSeconds: policy.lockout.lockSeconds } : {}),
        });
      return { ok: false, reason: 'mismatch', attemptsLeft: Math.max(0, a.maxAttempts - a.attempts) };
    }
    await this.limits.undo(lockout);
    if (a.outcome === 'ok') return { ok: true, email: a.email!, recipientKey: addr.key, data: a.payload ?? null };
    return { ok: false, reason: a.outcome };
  }

  /**
   * Spends a code through its magic link (SPEC §19): `token` is `<verificationId>.<mac>`.
   * The link names no recipient, so the code's own recipient is taken; it must be a
   * magic-link code of one of `purposes`. A wrong mac is `not_found` and costs nothing (it
   * is 256 bits, not a guess at the code); the spend itself is one guarded attempt, so of
   * concurrent uses exactly one succeeds, and the link and the code die together.
   */
  async consumeLink(
    tenant: Tenant,
    token: string,
    purposes: ReadonlyArray<{ flow: string; templateType: TemplateType }>,
  ): Promise<VerifyOutcome & { templateType?: TemplateType }> {
    const m = /^([\w-]{1,100})\.([\w-]{43})$/.exec(token);
    const notFound = { ok: false as const, reason: 'not_found' as const };
    if (!m) return notFound;
    const [, id, mac] = m as unknown as [string, string, string];
    const state = await this.store.probe({ tenantId: tenant.id, id });
    const fit = state && purposes.find((p) => purposeFits(state.purpose, purposeOf(p.templateType, p.flow)));
    if (
      !state ||
      !fit ||
      state.payload?.[MAGIC_LINK] !== true ||
      !hmacEquals(mac, linkMac(this.hmacKey, id, state.codeHmac))
    ) {
      this.metrics.verifications.inc({ outcome: 'not_found' });
      return notFound;
    }
    const target = {
      tenantId: tenant.id,
      id,
      recipientKey: state.recipientKey,
      purpose: state.purpose,
      now: this.clock.now().toISOString(),
    };
    const a = await this.store.attempt(
      target,
      (code) => decideAttempt(code, target, (h) => hmacEquals(mac, linkMac(this.hmacKey, id, h))),
      state,
    );
    this.metrics.verifications.inc({ outcome: a.outcome });
    if (a.outcome === 'ok')
      return {
        ok: true,
        email: a.email!,
        recipientKey: state.recipientKey,
        data: a.payload ?? null,
        templateType: fit.templateType,
      };
    // A mismatch cannot happen here (the mac was checked against the same row); treat any as unknown.
    if (a.outcome === 'mismatch') return notFound;
    return { ok: false, reason: a.outcome };
  }

  /**
   * Runs one password check under two budgets: the address's lockout (the policy's
   * `lockout` values, counted apart from codes) and, when the caller's IP is known, the
   * failed sign-ins from that IP (`maxFailedPasswordsPerIpPerHour`, against password
   * spraying over many addresses). A wrong password uses a point of each, a right one gives
   * them back, and an exhausted budget refuses with a 429 whether or not an account exists,
   * so neither limit tells anything about the address. Points are taken before the check, so
   * parallel guesses never evaluate more than either budget.
   */
  async passwordAttempt(
    tenantId: string,
    recipientKey: string,
    check: () => Promise<boolean>,
    ip?: string,
  ): Promise<boolean> {
    const policy = await this.policies.get(tenantId);
    const perIp: Bucket | undefined = ip
      ? {
          name: 'password-ip',
          key: `${tenantId}|${ip}`,
          points: policy.maxFailedPasswordsPerIpPerHour,
          durationSeconds: 3600,
        }
      : undefined;
    if (perIp) {
      const g = await this.limits.hit(perIp);
      if (!g.allowed) {
        await this.limits.undo(perIp);
        this.metrics.rateLimitRejections.inc({ kind: 'password-ip' });
        throw new AppError(
          'session.rate_limited',
          `Too many failed sign-ins from this network; try again in ${g.retryAfter} seconds.`,
          { retryAfter: g.retryAfter },
          { headers: { 'retry-after': String(g.retryAfter) } },
        );
      }
    }
    const bucket: Bucket = {
      name: 'password-lockout',
      key: `${tenantId}|${recipientKey}`,
      points: policy.lockout.maxFailures,
      durationSeconds: policy.lockout.windowSeconds,
    };
    const giveBack = () => Promise.all([this.limits.undo(bucket), perIp && this.limits.undo(perIp)]);
    const gate = await this.limits.hit(bucket);
    if (!gate.allowed) {
      await giveBack();
      this.metrics.rateLimitRejections.inc({ kind: 'password-lockout' });
      throw new AppError(
        'session.locked',
        `Too many wrong passwords for this address; try again in ${gate.retryAfter} seconds.`,
        { retryAfter: gate.retryAfter },
        { headers: { 'retry-after': String(gate.retryAfter) } },
      );
    }
    let ok: boolean;
    try {
      ok = await check();
    } catch (err) {
      await giveBack();
      throw err;
    }
    if (ok) await giveBack();
    else if (gate.remaining === 0) await this.limits.block(bucket, policy.lockout.lockSeconds);
    return ok;
  }

  /** Revokes a recipient's outstanding codes (after a password reset). */
  async revokeAll(tenantId: string, recipientKey: string): Promise<void> {
    await this.store.invalidateRecipient(tenantId, recipientKey);
  }

  /** Deletes expired and used codes in small batches, yielding between them. */
  async purge(olderThanMs = 3_600_000): Promise<number> {
    const before = new Date(this.clock.now().getTime() - olderThanMs).toISOString();
    let total = 0;
    for (;;) {
      const n = await this.store.purge(before, 500);
      total += n;
      if (n < 500) return total;
      await new Promise((r) => setImmediate(r));
    }
  }
}
