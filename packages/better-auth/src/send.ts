import { callPostern, TEMPLATE_FOR, type OtpType, type PosternConnection } from './postern.js';

export interface PosternSendOptions extends PosternConnection {
  /** Template type per OTP purpose, over the defaults (`sign-in` → `SignIn`, …). */
  templateTypes?: Partial<Record<OtpType, string>>;
  /**
   * The locale of the message. Default: the request's Accept-Language when better-auth
   * hands over its request, else the tenant's default language.
   */
  locale?: (data: { email: string; type: OtpType }) => string | undefined | Promise<string | undefined>;
  /** Minutes the code is valid, shown in the message; set it to better-auth's `expiresIn / 60`. */
  expiresInMinutes?: number;
}

type Ctx = { request?: Request | undefined; headers?: Headers | undefined } | Request | undefined;

function acceptLanguage(ctx: Ctx): string | undefined {
  if (!ctx) return undefined;
  if (typeof Request !== 'undefined' && ctx instanceof Request) return ctx.headers.get('accept-language') ?? undefined;
  const c = ctx as { request?: Request; headers?: Headers };
  return c.request?.headers.get('accept-language') ?? c.headers?.get('accept-language') ?? undefined;
}

/**
 * `sendVerificationOTP` for better-auth's `emailOTP` plugin: better-auth makes the code,
 * Postern renders the tenant's template for the matching type and language with it and
 * delivers it through the tenant's connectors (`POST /api/messages`). A failure throws a
 * `PosternError`.
 *
 * ```ts
 * emailOTP({ sendVerificationOTP: posternSendVerificationOTP({ url, apiKey }) })
 * ```
 */
export function posternSendVerificationOTP(opts: PosternSendOptions) {
  const types = { ...TEMPLATE_FOR, ...opts.templateTypes };
  return async (data: { email: string; otp: string; type: OtpType }, ctx?: unknown): Promise<void> => {
    const locale = opts.locale ? await opts.locale({ email: data.email, type: data.type }) : undefined;
    const variables: Record<string, unknown> = { code: data.otp };
    if (opts.expiresInMinutes) variables.expiresInMinutes = opts.expiresInMinutes;
    await callPostern<{ messageId: string }>(
      opts,
      '/api/messages',
      { to: data.email, templateType: types[data.type] ?? 'Generic', ...(locale ? { locale } : {}), variables },
      { acceptLanguage: acceptLanguage(ctx as Ctx) },
    );
  };
}
