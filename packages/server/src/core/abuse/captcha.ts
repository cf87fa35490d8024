import { z } from 'zod';
import { findConnectorError, isMasked, maskValue } from '@postern/connector-kit';
import { AppError, invalidDocument, tooDeep } from '../errors.js';
import type { Clock, SettingsStore } from '../ports.js';
import { mergePatch } from '../../lib/merge-patch.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import type { Keyring } from '../../lib/crypto.js';
import { captchaWidget, type CaptchaWidget } from './widget.js';

export const CAPTCHA_PROVIDERS = ['none', 'turnstile', 'hcaptcha', 'recaptcha'] as const;
export type CaptchaProvider = (typeof CAPTCHA_PROVIDERS)[number];

/** Each provider's own siteverify address (the default of `verifyUrl`). */
export const SITEVERIFY_URLS: Record<Exclude<CaptchaProvider, 'none'>, string> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
};

/** The providers' names as people know them, for messages. */
const PROVIDER_NAMES: Record<Exclude<CaptchaProvider, 'none'>, string> = {
  turnstile: 'Cloudflare Turnstile',
  hcaptcha: 'hCaptcha',
  recaptcha: 'reCAPTCHA v3',
};

/** The reCAPTCHA v3 action the hosted pages execute before a send, and the server expects. */
export const CAPTCHA_ACTIONS = { sendCode: 'send_code' } as const;

const Text = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const Url = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials');

/** SPEC §19, as the API shows it: the secret is masked as "••••" + its last 4 characters. */
export const BotProtectionSchema = z
  .strictObject({
    provider: z.enum(CAPTCHA_PROVIDERS),
    siteKey: Text.nullable(),
    secretKey: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .refine((v) => isMasked(v) || /^[\x21-\x7e]+$/.test(v), 'must be printable ASCII without spaces')
      .nullable()
      .meta({
        writeOnly: true,
        description: 'Masked as "••••" + the last 4 characters; a masked value sent back keeps the stored secret',
      }),
    verifyUrl: Url.nullable().meta({
      description:
        "The provider's siteverify address; change it only to go through a proxy (it falls under POSTERN_OUTBOUND_ALLOW)",
    }),
    scoreThreshold: z.number().min(0).max(1).meta({ description: 'reCAPTCHA v3: the lowest score accepted' }),
  })
  .meta({ id: 'BotProtection' });
export type BotProtection = z.infer<typeof BotProtectionSchema>;

/** What the hosted pages need to render the widget: no secret. */
export interface PublicBotProtection {
  provider: CaptchaProvider;
  siteKey: string | null;
  action: string;
  /** The widget script the pages load (null when off). */
  scriptUrl: string | null;
}

interface Stored {
  provider: CaptchaProvider;
  siteKey: string | null;
  secretKeyEnc: string | null;
  /** The provider the secret was given for: turning protection off and on again keeps it. */
  secretProvider?: CaptchaProvider | null;
  verifyUrl: string | null;
  scoreThreshold: number;
}

const DEFAULT: Stored = { provider: 'none', siteKey: null, secretKeyEnc: null, verifyUrl: null, scoreThreshold: 0.5 };
/** The settings of a tenant that never set any, as the API shows them. */
const DEFAULT_VIEW: BotProtection = { provider: 'none', siteKey: null, secretKey: null, verifyUrl: null, scoreThreshold: 0.5 };
const KEY = 'botProtection';
const aad = (tenantId: string) => `bot-protection:${tenantId}`;

/** Siteverify error codes that blame the secret or the request, not the visitor: the check cannot run. */
const CONFIG_ERRORS = new Set([
  'missing-input-secret',
  'invalid-input-secret',
  'invalid-or-already-seen-secret',
  'sitekey-secret-mismatch',
  'invalid-sitekey',
  'bad-request',
  'internal-error',
  'invalid-remoteip',
]);

export interface CaptchaCheck {
  /** The token the widget produced (`captchaToken`). */
  token: unknown;
  ip?: string | undefined;
  /** The action expected in a reCAPTCHA v3 answer. */
  action: string;
  /** A call made with an admin key: exempt. */
  exempt?: boolean;
}

export interface CaptchaOptions {
  fetch: typeof fetch;
  /** The host name of POSTERN_PUBLIC_URL when set: answers naming another host are refused. */
  expectedHostname?: string | undefined;
  /** How long a siteverify call may take before the send fails with `captcha.unavailable` (default 5 s). */
  timeoutMs?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
  /** POSTERN_CAPTCHA_WIDGET_ORIGIN: the widget scripts come from there (tests, an operator's proxy). */
  widgetOrigin?: string | undefined;
}

/**
 * Bot protection (SPEC §19): per-tenant settings and the server-side check made before
 * every unauthenticated send. The provider's answer decides; when it cannot be had
 * (timeout, network, a blocked destination, a 5xx, an unreadable answer, a refused
 * secret) the send fails with `503 captcha.unavailable` — never a silent pass.
 */
export class BotProtectionService {
  private readonly cache: TtlCache<Stored>;
  private readonly timeoutMs: number;

  constructor(
    private readonly settings: SettingsStore,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    private readonly opts: CaptchaOptions,
    ttlMs = 2_000,
  ) {
    this.cache = new TtlCache(ttlMs);
    this.timeoutMs = opts.timeoutMs ?? 5_000;
  }

  private stored(tenantId: string): Promise<Stored> {
    return this.cache.get(tenantId, async () => ({
      ...DEFAULT,
      ...(await this.settings.get<Partial<Stored>>(tenantId, KEY)),
    }));
  }

  private view(tenantId: string, s: Stored): BotProtection {
    return {
      provider: s.provider,
      siteKey: s.siteKey,
      secretKey: s.secretKeyEnc ? maskValue(this.keyring.decrypt(s.secretKeyEnc, aad(tenantId))) : null,
      verifyUrl: s.verifyUrl,
      scoreThreshold: s.scoreThreshold,
    };
  }

  async get(tenantId: string): Promise<BotProtection> {
    return this.view(tenantId, await this.stored(tenantId));
  }

  async getPublic(tenantId: string): Promise<PublicBotProtection> {
    const s = await this.stored(tenantId);
    return {
      provider: s.provider,
      siteKey: s.provider === 'none' ? null : s.siteKey,
      action: CAPTCHA_ACTIONS.sendCode,
      scriptUrl: (await this.widget(tenantId))?.scriptUrl ?? null,
    };
  }

  /** The widget the hosted pages of this tenant load, with what their CSP must allow; null when off. */
  async widget(tenantId: string): Promise<CaptchaWidget | null> {
    const s = await this.stored(tenantId);
    return captchaWidget(s.provider, s.siteKey, this.opts.widgetOrigin);
  }

  /**
   * A JSON Merge Patch of the settings. A masked secret sent back keeps the stored one —
   * unless the same change points the check elsewhere (`provider` or `verifyUrl`): then the
   * secret must be sent in full (`400 connector.bad_config`, SPEC §3.2), so that a stored
   * secret is never handed to a new destination by someone who cannot read it.
   */
  async patch(tenantId: string, patch: unknown): Promise<BotProtection> {
    const stored = await this.stored(tenantId);
    const current = this.view(tenantId, stored);
    // A member the patch removes (null, RFC 7396) takes its default again: `verifyUrl: null`
    // goes back to the provider's own address, `secretKey: null` forgets the secret.
    const merged = mergePatch(current, patch, tooDeep);
    const isObject = !!merged && typeof merged === 'object' && !Array.isArray(merged);
    const r = BotProtectionSchema.safeParse(isObject ? { ...DEFAULT_VIEW, ...merged } : merged);
    if (!r.success) throw invalidDocument('bot protection settings', r.error);
    const next = r.data;
    let secret: string | null = next.secretKey;
    let secretProvider: CaptchaProvider | null = secret === null ? null : next.provider;
    if (secret !== null && isMasked(secret)) {
      if (!stored.secretKeyEnc || secret !== current.secretKey) {
        throw new AppError(
          'request.invalid',
          'Send the secret key in full: this looks like a masked value, and no stored secret matches it.',
          { issues: [{ path: 'secretKey', message: 'masked value without a stored secret' }] },
        );
      }
      // Off sends nothing anywhere; on, the secret may go only where it went before.
      secretProvider = stored.secretProvider ?? stored.provider;
      const redirected =
        next.provider !== 'none' && (next.provider !== secretProvider || next.verifyUrl !== stored.verifyUrl);
      if (redirected) {
        throw new AppError(
          'connector.bad_config',
          'The provider or verifyUrl changes: send secretKey in full, the stored one is not sent to a new destination.',
          { issues: [{ path: 'secretKey', message: 'required in full when provider or verifyUrl changes' }] },
        );
      }
      secret = this.keyring.decrypt(stored.secretKeyEnc, aad(tenantId));
      if (next.provider !== 'none') secretProvider = next.provider;
    }
    if (next.provider !== 'none') {
      const missing = [...(next.siteKey ? [] : ['siteKey']), ...(secret ? [] : ['secretKey'])];
      if (missing.length) {
        const words = missing.map((m) => (m === 'siteKey' ? 'a site key' : 'a secret key')).join(' and ');
        throw new AppError('request.invalid', `Bot protection with ${PROVIDER_NAMES[next.provider]} needs ${words}, both from the provider's dashboard.`, {
          issues: missing.map((path) => ({ path, message: 'required when provider is not none' })),
        });
      }
    }
    const out: Stored = {
      provider: next.provider,
      siteKey: next.siteKey,
      secretKeyEnc: secret ? this.keyring.encrypt(secret, aad(tenantId)) : null,
      secretProvider,
      verifyUrl: next.verifyUrl,
      scoreThreshold: next.scoreThreshold,
    };
    await this.settings.put(tenantId, KEY, out, this.clock.now().toISOString());
    this.cache.delete(tenantId);
    return this.view(tenantId, out);
  }

  /**
   * The check before a send. Protection off: nothing (a token sent anyway is ignored).
   * On: `400 captcha.required` without a token, `403 captcha.invalid` when the provider
   * refuses it (or a reCAPTCHA score, action or host name does not fit),
   * `503 captcha.unavailable` when no answer can be had.
   */
  async check(tenantId: string, c: CaptchaCheck): Promise<void> {
    const s = await this.stored(tenantId);
    if (s.provider === 'none' || c.exempt) return;
    if (typeof c.token !== 'string' || c.token.trim() === '') throw new AppError('captcha.required');
    if (!s.secretKeyEnc) throw unavailable('not_configured');
    const provider = s.provider;
    const secret = this.keyring.decrypt(s.secretKeyEnc, aad(tenantId));
    const form = new URLSearchParams({ secret, response: c.token });
    if (c.ip) form.set('remoteip', c.ip);
    if (provider === 'hcaptcha' && s.siteKey) form.set('sitekey', s.siteKey);
    const url = s.verifyUrl ?? SITEVERIFY_URLS[provider];
    let res: Response;
    let answer: unknown;
    try {
      res = await this.opts.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) {
        await res.arrayBuffer().catch(() => undefined);
        this.opts.log?.('siteverify answered with an error status', { tenantId, provider, status: res.status });
        throw unavailable('provider_error', { providerStatus: res.status });
      }
      answer = JSON.parse(await res.text());
    } catch (err) {
      if (err instanceof AppError) throw err;
      const reason = reasonOf(err);
      this.opts.log?.('siteverify failed', { tenantId, provider, reason });
      throw unavailable(reason);
    }
    const a = answer as {
      success?: unknown;
      score?: unknown;
      action?: unknown;
      hostname?: unknown;
      'error-codes'?: unknown;
    };
    if (!a || typeof a !== 'object' || typeof a.success !== 'boolean') throw unavailable('bad_answer');
    const errorCodes = Array.isArray(a['error-codes'])
      ? a['error-codes'].filter((x): x is string => typeof x === 'string').slice(0, 10)
      : [];
    if (!a.success) {
      if (errorCodes.some((e) => CONFIG_ERRORS.has(e))) {
        this.opts.log?.('siteverify refused the configuration', { tenantId, provider, errorCodes });
        throw unavailable('provider_refused_configuration', { errorCodes });
      }
      throw new AppError('captcha.invalid', undefined, { reason: 'rejected', errorCodes });
    }
    if (provider === 'recaptcha') {
      // v3 answers carry a score and the action; v2 answers carry neither.
      if (a.score !== undefined && (typeof a.score !== 'number' || a.score < s.scoreThreshold))
        throw new AppError('captcha.invalid', 'The bot check scored this request too low.', { reason: 'score' });
      if (a.score !== undefined && a.action !== c.action)
        throw new AppError('captcha.invalid', 'The bot check was solved for another action.', { reason: 'action' });
    }
    if (
      this.opts.expectedHostname &&
      typeof a.hostname === 'string' &&
      a.hostname.toLowerCase() !== this.opts.expectedHostname.toLowerCase()
    ) {
      throw new AppError('captcha.invalid', 'The bot check was solved on another site.', { reason: 'hostname' });
    }
  }
}

function unavailable(reason: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('captcha.unavailable', undefined, { reason, ...details }, { headers: { 'retry-after': '5' } });
}

function reasonOf(err: unknown): string {
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  if (err instanceof SyntaxError) return 'bad_answer';
  if (findConnectorError(err, 'connector.destination_blocked')) return 'destination_blocked';
  return 'unreachable';
}
