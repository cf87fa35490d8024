/** The building blocks of the hosted pages: the card shell, alerts, the code field with its resend countdown. */
import { useEffect, useRef, useState, type CSSProperties, type FormEvent, type ReactNode, type RefObject } from 'react';
import { withAddresses } from './Address.js';
import { Field } from './Field.js';
import { explain, waitText, type Explained } from './errors.js';
import { LANG_NAMES, LANGS, setLang, useLang, type Lang } from './i18n.js';
import type { CodeSent } from './client.js';
import { brandColours, useBranding } from './branding.js';
import { useApplication } from './application.js';
import { isPreview, usePreviewScheme } from './preview.js';
import { retryAfterOf } from './client.js';

/**
 * `captcha`: the bot-check widget (captcha.tsx), kept at one place after the page's content
 * so that it survives the page moving from its first step to the code step.
 */
export function HostedShell({ title, children, captcha }: { title: string; children: ReactNode; captcha?: ReactNode }) {
  const { lang, t } = useLang();
  const brand = useBranding();
  const application = useApplication();
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = brand ? `${title} · ${brand.name}` : title;
  }, [lang, title, brand]);
  const colours = brand?.primaryColor ? brandColours(brand.primaryColor) : undefined;
  const style = colours ? ({ '--brand-light': colours.light, '--brand-light-text': colours.lightText, '--brand-dark': colours.dark, '--brand-dark-text': colours.darkText } as CSSProperties) : undefined;
  const preview = isPreview();
  // The preview's chosen scheme picks the logo itself: <picture> follows only the system's.
  const scheme = usePreviewScheme();
  const logo = scheme === 'dark' ? (brand?.darkLogoUrl ?? brand?.logoUrl) : (brand?.logoUrl ?? brand?.darkLogoUrl);
  return (
    <div className={`hosted-page${colours ? ' branded' : ''}${preview ? ' preview' : ''}`} style={style}>
      {preview ? (
        <p className="preview-mark" role="note">
          {t('previewMark')}
        </p>
      ) : null}
      <a className="skip" href="#main">
        {t('skip')}
      </a>
      {brand ? (
        <header className="hosted-brand">
          {logo ? (
            <picture>
              {brand.darkLogoUrl && !scheme ? <source media="(prefers-color-scheme: dark)" srcSet={brand.darkLogoUrl} /> : null}
              <img src={logo} alt="" />
            </picture>
          ) : null}
          <span className="hosted-brand-name">{brand.name}</span>
        </header>
      ) : null}
      {/* The preview's card is inert: nothing in it can be typed into, sent or followed. */}
      <main className="card hosted-card" id="main" tabIndex={-1} inert={preview || undefined}>
        {/* The card's top line: the application that asks (an OpenID sign-in), and the language picker. */}
        <div className="hosted-top">
          {application ? <ApplicationLine name={application.name} logoUrl={application.logoUrl} /> : null}
          <div className="hosted-lang">
            <label htmlFor="hosted-lang" className="visually-hidden">
              {t('language')}
            </label>
            <select id="hosted-lang" value={lang} onChange={(e) => setLang(e.target.value as Lang)} title={t('language')}>
              {LANGS.map((l) => (
                <option key={l} value={l} lang={l}>
                  {LANG_NAMES[l]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <h1 id="hosted-title">{title}</h1>
        {children}
        {captcha ? (
          <section className="hosted-captcha-slot" aria-label={t('captchaLabel')}>
            {captcha}
          </section>
        ) : null}
      </main>
    </div>
  );
}

/** "Continue to <app>", with the application's logo unless it cannot be loaded. */
function ApplicationLine({ name, logoUrl }: { name: string; logoUrl: string | null }) {
  const { t } = useLang();
  const [broken, setBroken] = useState(false);
  return (
    <p className="hosted-app" data-testid="hosted-app">
      {logoUrl && !broken ? <img src={logoUrl} alt="" onError={() => setBroken(true)} /> : null}
      <span>{t('forApp', { app: name })}</span>
    </p>
  );
}

/**
 * Runs an action with a busy flag and keeps its error explained in the current language.
 * After a failure the focus goes to the first invalid field of `formRef`, else to the alert.
 */
export function useAction(formRef?: RefObject<HTMLElement | null>) {
  const { t } = useLang();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const alertRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!error) return;
    const invalid = formRef?.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (invalid ?? alertRef.current)?.focus();
  }, [error, tick]);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e);
      setTick((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };
  const explained: Explained | undefined = error ? explain(t, error) : undefined;
  return { busy, error, explained, run, setError, alertRef };
}

/** The error of the last action; left out when that same sentence already stands at a field (which takes the focus). */
export function Alert({ explained, alertRef }: { explained: Explained | undefined; alertRef?: RefObject<HTMLDivElement | null> }) {
  if (!explained || Object.values(explained.fields).includes(explained.message)) return null;
  return (
    <div className="notice error" role="alert" ref={alertRef} tabIndex={-1} data-code={explained.code}>
      <p>{explained.message}</p>
    </div>
  );
}

export function Success({ children }: { children: ReactNode }) {
  return (
    <div className="notice success" role="status">
      {children}
    </div>
  );
}

/** Spaces and dashes of a pasted code go; letters are upper-cased (codes are case-insensitive). */
export function normalizeCode(raw: string): string {
  return raw.replace(/[\s\-‐-―]/g, '').toUpperCase();
}

/** Seconds left until `at` (epoch ms), updated every second while above zero. */
export function useSecondsUntil(at: number): number {
  const [now, setNow] = useState(Date.now);
  const left = Math.max(0, Math.ceil((at - now) / 1000));
  useEffect(() => {
    if (left <= 0) return;
    const id = setTimeout(() => setNow(Date.now()), Math.min(1000, at - Date.now()));
    return () => clearTimeout(id);
  }, [at, now, left]);
  return left;
}

export function TextField({ id, label, value, onChange, type = 'text', autoComplete, error, help, autoFocus }: { id: string; label: string; value: string; onChange(v: string): void; type?: string; autoComplete?: string; error?: string | undefined; help?: string; autoFocus?: boolean }) {
  return (
    <Field id={id} label={label} error={error} {...(help ? { help } : {})}>
      <input type={type} value={value} onChange={(e) => onChange(e.target.value)} autoComplete={autoComplete} autoFocus={autoFocus} spellCheck={false} />
    </Field>
  );
}

/**
 * A form around the verification code: one field (paste-friendly, numeric keyboard while
 * the code looks numeric) and a resend button that counts down from the server's
 * `resendAfter`, or from the `Retry-After` of a 429. `children` adds fields (password, name).
 */
export function CodeForm({ email, sent, onResend, onSubmit, submitLabel, children, idPrefix = 'code' }: {
  email: string;
  sent: CodeSent;
  onResend(): Promise<CodeSent>;
  /** `verificationId` is that of the latest code sent (a resend replaces it). */
  onSubmit(code: string, verificationId: string): Promise<void>;
  submitLabel: string;
  children?: (fields: Record<string, string>) => ReactNode;
  idPrefix?: string;
}) {
  const { t } = useLang();
  const formRef = useRef<HTMLFormElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const [code, setCode] = useState('');
  const [resendAt, setResendAt] = useState(() => Date.now() + (sent.resendAfter ?? 0) * 1000);
  const [resent, setResent] = useState(false);
  const [verificationId, setVerificationId] = useState(sent.verificationId);
  const left = useSecondsUntil(resendAt);
  const action = useAction(formRef);
  const resend = useAction(formRef);
  useEffect(() => codeRef.current?.focus(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(() => onSubmit(code, verificationId));
  };
  const doResend = () =>
    resend.run(async () => {
      setResent(false);
      try {
        const next = await onResend();
        setVerificationId(next.verificationId);
        setResendAt(Date.now() + (next.resendAfter ?? 0) * 1000);
        setCode('');
        action.setError(undefined);
        setResent(true);
        codeRef.current?.focus();
      } catch (e) {
        const wait = retryAfterOf(e);
        if (wait !== undefined) setResendAt(Date.now() + wait * 1000);
        throw e;
      }
    });
  const explained = resend.explained ?? action.explained;
  const fields = explained?.fields ?? {};
  const numeric = code === '' || /^\d+$/.test(code);
  return (
    <form ref={formRef} onSubmit={submit} noValidate>
      <Field id={`${idPrefix}-input`} label={t('code')} help={withAddresses(t('codeHelp', { email }), email)} error={fields.code}>
        <input
          ref={codeRef}
          type="text"
          inputMode={numeric ? 'numeric' : 'text'}
          autoComplete="one-time-code"
          autoCapitalize="characters"
          spellCheck={false}
          className="code-input"
          value={code}
          maxLength={40}
          onChange={(e) => setCode(normalizeCode(e.target.value))}
        />
      </Field>
      {children?.(fields)}
      {resent && !explained ? <Success>{withAddresses(t('codeResent', { email }), email)}</Success> : null}
      <Alert explained={explained} alertRef={resend.explained ? resend.alertRef : action.alertRef} />
      <div className="hosted-actions">
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? t('working') : submitLabel}
        </button>
        <button type="button" className="secondary" disabled={left > 0 || resend.busy} onClick={() => void doResend()} aria-describedby={left > 0 ? `${idPrefix}-countdown` : undefined}>
          {t('resend')}
        </button>
      </div>
      <p className="muted small" id={`${idPrefix}-countdown`}>
        {left > 0 ? t('resendIn', { wait: waitText(t, left) }) : ''}
      </p>
    </form>
  );
}
