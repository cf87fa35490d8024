import { useState, type FormEvent } from 'react';
import { api, ApiError, type BotProtection, type CaptchaProvider } from '../api.js';
import { CopyButton } from '../ui/CopyButton.js';
import { ErrorBox, Loading, Notice } from '../ui/Feedback.js';
import { Field, humanIssue } from '../ui/Field.js';
import { useLoad } from '../ui/useLoad.js';
import { SaveActions } from '../ui/SaveActions.js';

const PROVIDERS: { id: CaptchaProvider; label: string; dashboard?: string }[] = [
  { id: 'none', label: 'Off' },
  { id: 'turnstile', label: 'Cloudflare Turnstile', dashboard: 'the Turnstile section of the Cloudflare dashboard' },
  { id: 'hcaptcha', label: 'hCaptcha', dashboard: 'the hCaptcha dashboard (Sites, and Settings for the secret)' },
  { id: 'recaptcha', label: 'Google reCAPTCHA v3', dashboard: 'the reCAPTCHA admin console (a v3 site)' },
];
const nameOf = (p: CaptchaProvider) => PROVIDERS.find((x) => x.id === p)?.label ?? p;

/**
 * The API's issue reasons for these fields, as sentences a person can act on. The server's
 * words name the rule (`required when provider is not none`); these say what to do.
 */
function issueText(path: string, message: string): string {
  if (/required when provider is not none/i.test(message))
    return path === 'siteKey' ? "Enter the site key from the provider's dashboard." : "Enter the secret key from the provider's dashboard.";
  if (/required in full when provider or verifyUrl changes/i.test(message))
    return 'Type the secret key again: a stored secret is never sent to a new provider or siteverify address.';
  if (/masked value without a stored secret/i.test(message)) return 'Type the whole secret key, not its masked form.';
  if (/printable ASCII without spaces/i.test(message)) return 'Paste the key exactly as the provider shows it, without spaces.';
  if (/http\(s\) URL without credentials/i.test(message)) return 'Enter an http(s) address without a user name or password, such as https://proxy.example.com/siteverify.';
  return humanIssue(message);
}

function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const i of error.issues) {
    const path = i.path.replace(/^body\./, '');
    const text = issueText(path, i.message);
    out[path] = out[path] ? `${out[path]} ${text}` : text;
  }
  return out;
}

/** `GET/PATCH /api/bot-protection` (SPEC §19): the bot check on every public route that sends mail. */
export function BotProtectionPage() {
  const state = useLoad(() => api.botProtection(), []);
  return (
    <section>
      <h1>Bot protection</h1>
      <p className="muted">
        A CAPTCHA on every public request that sends mail: email codes, magic links, password reset and resend. The hosted pages show the provider's widget, and Postern checks its answer with the provider before anything is sent. Calls made with an admin key are not checked.
      </p>
      <ErrorBox error={state.error} />
      {state.data ? <BotProtectionForm initial={state.data} /> : state.loading ? <Loading what="the bot protection settings" /> : null}
    </section>
  );
}

interface Draft {
  provider: CaptchaProvider;
  siteKey: string;
  /** A new secret, typed here; empty keeps the stored one. */
  secretKey: string;
  verifyUrl: string;
  scoreThreshold: string;
}

const draftOf = (b: BotProtection): Draft => ({
  provider: b.provider,
  siteKey: b.siteKey ?? '',
  secretKey: '',
  verifyUrl: b.verifyUrl ?? '',
  scoreThreshold: String(b.scoreThreshold),
});

function BotProtectionForm({ initial }: { initial: BotProtection }) {
  const [saved, setSaved] = useState(initial);
  const [d, setD] = useState(() => draftOf(initial));
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const errs = fieldErrors(error);
  const set = (patch: Partial<Draft>) => {
    setD({ ...d, ...patch });
    setDone('');
  };
  const on = d.provider !== 'none';
  const provider = PROVIDERS.find((p) => p.id === d.provider);
  // The host name the widget runs on: providers ask for it when the site key is made.
  const host = window.location.hostname;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const threshold = d.scoreThreshold.trim() === '' ? Number.NaN : Number(d.scoreThreshold);
    if (d.provider === 'recaptcha' && !Number.isFinite(threshold)) {
      setError(new ApiError(400, 'request.invalid', 'Enter the lowest score to accept.', { issues: [{ path: 'scoreThreshold', message: 'Enter a number from 0 to 1, such as 0.5.' }] }));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const next = await api.patchBotProtection({
        provider: d.provider,
        siteKey: d.siteKey.trim() || null,
        verifyUrl: d.verifyUrl.trim() || null,
        ...(d.provider === 'recaptcha' ? { scoreThreshold: threshold } : {}),
        // Left empty, the stored secret stays (a merge patch without the member keeps it).
        ...(d.secretKey ? { secretKey: d.secretKey } : {}),
      });
      setSaved(next);
      setD(draftOf(next));
      setDone(next.provider === 'none' ? 'Saved. Bot protection is off.' : `Saved. Bot protection is on with ${nameOf(next.provider)}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Bot protection">
      <fieldset className="card group">
        <legend>Provider</legend>
        <Field id="bp-provider" label="Bot check" help="The provider whose site key and secret key you have. Off: public requests send mail without a bot check (the usual rate limits still apply)." error={errs.provider}>
          <select value={d.provider} onChange={(e) => set({ provider: e.target.value as CaptchaProvider })}>
            {PROVIDERS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </Field>
        {on ? (
          <>
            <div className="field">
              <label htmlFor="bp-host">Host name to allow</label>
              <div className="row">
                <input id="bp-host" type="text" className="mono" readOnly value={host} aria-describedby="bp-host-help" onFocus={(e) => e.target.select()} />
                <CopyButton text={host} label="Copy the host name" selectId="bp-host" />
              </div>
              <p className="help" id="bp-host-help">
                Add this host name to the site in {provider?.dashboard ?? "the provider's dashboard"}: the widget runs on the hosted sign-in pages served from it.
              </p>
            </div>
            <div className="grid-2">
              <Field id="bp-site-key" label="Site key" help="Public: the hosted pages give it to the widget." error={errs.siteKey}>
                <input type="text" className="mono" spellCheck={false} autoComplete="off" value={d.siteKey} onChange={(e) => set({ siteKey: e.target.value })} />
              </Field>
              <Field
                id="bp-secret-key"
                label="Secret key"
                help={saved.secretKey ? `A secret is stored (${saved.secretKey}). Leave this empty to keep it; type a new one to replace it.` : 'Used only by the server to ask the provider whether an answer is genuine. It is never shown again.'}
                error={errs.secretKey}
              >
                <input type="password" className="mono" spellCheck={false} autoComplete="new-password" placeholder={saved.secretKey ? 'Unchanged' : ''} value={d.secretKey} onChange={(e) => set({ secretKey: e.target.value })} />
              </Field>
            </div>
            {d.provider === 'recaptcha' ? (
              <Field id="bp-score" label="Lowest score accepted" help="reCAPTCHA v3 scores each request from 0 (a bot) to 1 (a person). Requests scoring lower are refused. 0 to 1; Google suggests 0.5." error={errs.scoreThreshold}>
                <input type="number" min={0} max={1} step={0.05} value={d.scoreThreshold} onChange={(e) => set({ scoreThreshold: e.target.value })} />
              </Field>
            ) : null}
            <details className="advanced" open={!!d.verifyUrl || !!errs.verifyUrl}>
              <summary>Advanced</summary>
              <Field id="bp-verify-url" label="Siteverify address (optional)" help="Empty: the provider's own address. Set it only to go through a proxy; it must be allowed by POSTERN_OUTBOUND_ALLOW. Changing it needs the secret key typed again." error={errs.verifyUrl}>
                <input type="url" spellCheck={false} value={d.verifyUrl} onChange={(e) => set({ verifyUrl: e.target.value })} />
              </Field>
            </details>
          </>
        ) : saved.secretKey ? (
          <p className="muted">The keys of the last provider stay stored: choose it again to turn protection back on.</p>
        ) : null}
      </fieldset>
      {done ? <Notice kind="success">{done}</Notice> : null}
      <ErrorBox error={error} title="Not saved." />
      <SaveActions busy={busy} onDiscard={() => { setD(draftOf(saved)); setError(undefined); setDone(''); }} />
    </form>
  );
}
