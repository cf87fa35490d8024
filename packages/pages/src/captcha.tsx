/**
 * The bot check of the hosted pages (SPEC §19). When the tenant's bot protection is on
 * (`GET /api/experience/bot-protection`), the page loads the provider's widget script and
 * adds a fresh `captchaToken` to every call that sends mail: Turnstile and hCaptcha render
 * a widget whose token verifies once (the widget is reset after each send); reCAPTCHA v3
 * shows no widget and `execute`s the expected action for each send.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { PosternError } from '@postern/client';
import type { HostedClient } from './client.js';

interface PublicBotProtection {
  provider: 'none' | 'turnstile' | 'hcaptcha' | 'recaptcha';
  siteKey: string | null;
  action: string;
  scriptUrl: string | null;
}
type On = PublicBotProtection & { provider: 'turnstile' | 'hcaptcha' | 'recaptcha'; siteKey: string; scriptUrl: string };

type WidgetId = string | number;
/** What Turnstile (`window.turnstile`) and hCaptcha (`window.hcaptcha`) have in common. */
interface WidgetApi {
  render(el: HTMLElement, opts: Record<string, unknown>): WidgetId;
  reset(id?: WidgetId): void;
  remove?(id: WidgetId): void;
}
interface RecaptchaApi {
  ready(cb: () => void): void;
  execute(siteKey: string, opts: { action: string }): Promise<string>;
}
type Globals = { turnstile?: WidgetApi; hcaptcha?: WidgetApi; grecaptcha?: RecaptchaApi };

const settings = new Map<string, Promise<On | null>>();
/** The tenant's settings, read once per page load; null (no check) when off or unreadable. */
function loadSettings(client: HostedClient): Promise<On | null> {
  let p = settings.get(client.tenantId);
  if (!p) {
    p = client
      .call<PublicBotProtection>('GET', '/api/experience/bot-protection')
      .then((c) => (c.provider !== 'none' && c.siteKey && c.scriptUrl ? (c as On) : null))
      // Unreadable: no widget; a send then meets the server's own 400 captcha.required.
      .catch(() => null);
    settings.set(client.tenantId, p);
  }
  return p;
}

const scripts = new Map<string, Promise<void>>();
function loadScript(url: string): Promise<void> {
  let p = scripts.get(url);
  if (!p) {
    p = new Promise<void>((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url;
      s.async = true;
      s.onload = () => resolve();
      s.onerror = () => reject(new Error('The bot check could not be loaded.'));
      document.head.appendChild(s);
    });
    p.catch(() => scripts.delete(url));
    scripts.set(url, p);
  }
  return p;
}

const unavailable = () => new PosternError(0, 'captcha.unavailable', 'The bot check could not be loaded.');

export interface Captcha {
  /** The widget's place on the page (null when there is nothing to show). */
  element: ReactNode;
  /** The fields to add to a call that sends mail: `{captchaToken}` while protection is on, else nothing. */
  fields(): Promise<{ captchaToken?: string }>;
}

export function useCaptcha(client: HostedClient): Captcha {
  const [config, setConfig] = useState<On | null>(null);
  const failed = useRef(false);
  const box = useRef<HTMLDivElement>(null);
  const widget = useRef<{ id: WidgetId; api: WidgetApi } | null>(null);
  const token = useRef<string | null>(null);

  useEffect(() => {
    let live = true;
    void loadSettings(client).then((c) => live && setConfig(c));
    return () => {
      live = false;
    };
  }, [client]);

  useEffect(() => {
    if (!config) return;
    let live = true;
    failed.current = false;
    loadScript(config.scriptUrl)
      .then(() => {
        if (!live || config.provider === 'recaptcha') return;
        const api = (window as Globals)[config.provider];
        if (!api || !box.current) throw unavailable();
        const forget = () => {
          token.current = null;
        };
        const id = api.render(box.current, {
          sitekey: config.siteKey,
          callback: (t: string) => {
            token.current = t;
          },
          'expired-callback': forget,
          'error-callback': forget,
          // Turnstile carries the action to siteverify; hCaptcha has none.
          ...(config.provider === 'turnstile' ? { action: config.action } : {}),
        });
        widget.current = { id, api };
      })
      .catch(() => {
        failed.current = true;
      });
    return () => {
      live = false;
      const w = widget.current;
      widget.current = null;
      token.current = null;
      if (w) w.api.remove?.(w.id);
    };
  }, [config]);

  const fields = async (): Promise<{ captchaToken?: string }> => {
    if (!config) return {};
    if (failed.current) throw unavailable();
    if (config.provider === 'recaptcha') {
      const g = (window as Globals).grecaptcha;
      if (!g) throw unavailable();
      const t = await new Promise<string>((resolve, reject) => g.ready(() => g.execute(config.siteKey, { action: config.action }).then(resolve, reject))).catch(() => {
        throw unavailable();
      });
      return { captchaToken: t };
    }
    const t = token.current;
    if (!t) return {}; // unsolved: the server answers 400 captcha.required, which the page explains
    // A token verifies once: the next send needs the widget solved anew.
    token.current = null;
    const w = widget.current;
    if (w) w.api.reset(w.id);
    return { captchaToken: t };
  };

  const element = config && config.provider !== 'recaptcha' ? <div className="hosted-captcha" ref={box} /> : null;
  return { element, fields };
}
