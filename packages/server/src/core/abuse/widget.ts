/**
 * What a provider's widget needs in the browser: the script the hosted pages load, and the
 * origins their content security policy must allow for it (each provider's documented list).
 */
export interface CaptchaWidget {
  scriptUrl: string;
  scriptSrc: string[];
  frameSrc: string[];
  styleSrc: string[];
  connectSrc: string[];
}

/** The providers (captcha.ts CAPTCHA_PROVIDERS without 'none'; not imported, which would make a cycle). */
type On = 'turnstile' | 'hcaptcha' | 'recaptcha';

const SCRIPTS: Record<On, { origin: string; path: (siteKey: string) => string }> = {
  // Explicit rendering: the pages decide where the widget goes and reset it after each send.
  turnstile: { origin: 'https://challenges.cloudflare.com', path: () => '/turnstile/v0/api.js?render=explicit' },
  hcaptcha: { origin: 'https://js.hcaptcha.com', path: () => '/1/api.js?render=explicit&recaptchacompat=off' },
  // v3: the script is loaded for the site key and `execute` returns a token per action.
  recaptcha: {
    origin: 'https://www.google.com',
    path: (siteKey) => `/recaptcha/api.js?render=${encodeURIComponent(siteKey)}`,
  },
};

const HCAPTCHA = ['https://hcaptcha.com', 'https://*.hcaptcha.com'];
const SOURCES: Record<On, Omit<CaptchaWidget, 'scriptUrl'>> = {
  turnstile: {
    scriptSrc: ['https://challenges.cloudflare.com'],
    frameSrc: ['https://challenges.cloudflare.com'],
    styleSrc: [],
    connectSrc: [],
  },
  hcaptcha: { scriptSrc: HCAPTCHA, frameSrc: HCAPTCHA, styleSrc: HCAPTCHA, connectSrc: HCAPTCHA },
  recaptcha: {
    scriptSrc: ['https://www.google.com/recaptcha/', 'https://www.gstatic.com/recaptcha/'],
    frameSrc: ['https://www.google.com/recaptcha/', 'https://recaptcha.google.com/recaptcha/'],
    styleSrc: [],
    connectSrc: [],
  },
};

/**
 * The widget of `provider`, or null when protection is off. With `widgetOrigin`
 * (POSTERN_CAPTCHA_WIDGET_ORIGIN, an operator setting) the script comes from that origin at
 * the provider's path, and only that origin is allowed.
 */
export function captchaWidget(
  provider: On | 'none',
  siteKey: string | null,
  widgetOrigin?: string,
): CaptchaWidget | null {
  if (provider === 'none' || !siteKey) return null;
  const script = SCRIPTS[provider];
  if (widgetOrigin) {
    const only = [widgetOrigin];
    return {
      scriptUrl: widgetOrigin + script.path(siteKey),
      scriptSrc: only,
      frameSrc: only,
      styleSrc: only,
      connectSrc: only,
    };
  }
  return { scriptUrl: script.origin + script.path(siteKey), ...SOURCES[provider] };
}
