import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, DEPENDENT_LABELS, type SignInExperience } from '../api.js';
import { ErrorBox, Loading, Notice } from '../ui/Feedback.js';
import { Link } from '../ui/Link.js';
import { useLoad } from '../ui/useLoad.js';
import { SaveActions } from '../ui/SaveActions.js';
import { Check } from '../ui/Check.js';
import { describedBy } from '../ui/Field.js';

/** Which input shows an error named by `details.fields` or an issue path. */
const FIELD_INPUT: Record<string, string> = {
  'signUp.email': 'sie-signup-enabled',
  'signUp.enabled': 'sie-signup-enabled',
  'signUp.identifiers': 'sie-signup-enabled',
  'signUp.password': 'sie-signup-password',
  'signIn.emailVerificationCode': 'sie-signin-code',
  'signIn.emailMagicLink': 'sie-signin-link',
  'signIn.methods': 'sie-signin-password',
  'forgotPassword.email': 'sie-forgot',
  'mfa.email': 'sie-mfa-policy',
  'mfa.policy': 'sie-mfa-policy',
  'mfa.factors': 'sie-mfa-policy',
  'languages.default': 'sie-lang',
  'languages.autoDetect': 'sie-autodetect',
  'passwordPolicy.minLength': 'sie-minlength',
  'notifications.passwordChanged': 'sie-notify-password',
  'notifications.emailChanged': 'sie-notify-email',
  'notifications.mfaChanged': 'sie-notify-mfa',
  'notifications.newSignIn': 'sie-notify-device',
  notifications: 'sie-notify-password',
  'emailChange.confirmOld': 'sie-confirm-old',
  emailChange: 'sie-confirm-old',
  notifyUnknownRecipients: 'sie-unknown',
};

function fieldErrors(e: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!(e instanceof ApiError)) return out;
  const add = (path: string, msg: string) => {
    const id = FIELD_INPUT[path] ?? Object.entries(FIELD_INPUT).find(([p]) => path.startsWith(`${p}.`))?.[1];
    if (id) (out[id] ??= []).push(msg);
  };
  if (e.code === 'sign_in_experience.email_connector_required') {
    for (const f of e.list('fields')) add(f, `${DEPENDENT_LABELS[f] ?? f} needs an email connector.`);
  } else if (e.code === 'sign_in_experience.no_sign_in_method') {
    for (const f of e.list('fields')) add(f, 'Keep at least one sign-in method: password or email code.');
  }
  for (const i of e.issues) add(i.path.replace(/^body\./, ''), i.message);
  return out;
}

/** `GET/PATCH /api/sign-in-experience`: every setting, with the 422s shown on their fields. */
export function SignInExperiencePage() {
  const state = useLoad(() => api.signInExperience());
  return (
    <section>
      <h1>Sign-in experience</h1>
      <p className="muted">What your users can do on the hosted pages and through the experience API.</p>
      <ErrorBox error={state.error} />
      {state.data ? <SieForm initial={state.data} /> : state.loading ? <Loading what="the sign-in experience" /> : null}
    </section>
  );
}

function SieForm({ initial }: { initial: SignInExperience }) {
  const [saved, setSaved] = useState(initial);
  const [x, setX] = useState(initial);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const errs = fieldErrors(error);
  const method = x.signIn.methods[0] ?? { identifier: 'email' as const, password: false, verificationCode: false };
  const set = (next: SignInExperience) => {
    setX(next);
    setDone(false);
  };
  const setMethod = (patch: Partial<typeof method>) => set({ ...x, signIn: { methods: [{ ...method, ...patch }] } });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // The whole object is a valid merge patch: arrays replace, objects merge.
      const next = await api.patchSignInExperience(x);
      setSaved(next);
      setX(next);
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const needsConnector = error instanceof ApiError && error.code === 'sign_in_experience.email_connector_required';
  return (
    <form onSubmit={submit} noValidate className="sie">
      <fieldset className="card group">
        <legend>Sign-up</legend>
        <FormCheck id="sie-signup-enabled" label="Sign-up by email" help="New users can create an account with their email address (always verified by a code)." errors={errs} checked={x.signUp.enabled && x.signUp.identifiers.includes('email')} onChange={(on) => set({ ...x, signUp: { ...x.signUp, enabled: on, identifiers: on ? ['email'] : [] } })} />
        <FormCheck id="sie-signup-password" label="Ask for a password at sign-up" help="Off: accounts sign in with email codes only." errors={errs} checked={x.signUp.password} onChange={(on) => set({ ...x, signUp: { ...x.signUp, password: on } })} />
      </fieldset>
      <fieldset className="card group">
        <legend>Sign-in</legend>
        <FormCheck id="sie-signin-password" label="Sign-in with email and password" errors={errs} checked={method.password} onChange={(on) => setMethod({ password: on })} />
        <FormCheck id="sie-signin-code" label="Sign-in with an email code" help="A one-time code is emailed to the user." errors={errs} checked={method.verificationCode} onChange={(on) => setMethod({ verificationCode: on })} />
        <FormCheck id="sie-signin-link" label="Sign-in with an email link" help="A link that signs in from the inbox, with the code in the same email as a fallback. Opening the link only shows a confirmation page, so mail scanners cannot use it up." errors={errs} checked={method.magicLink === true} onChange={(on) => setMethod({ magicLink: on })} />
      </fieldset>
      <fieldset className="card group">
        <legend>Password reset and MFA</legend>
        <FormCheck id="sie-forgot" label="Password reset by email" errors={errs} checked={x.forgotPassword.email} onChange={(on) => set({ ...x, forgotPassword: { email: on } })} />
        <Row id="sie-mfa-policy" label="Email MFA" help="A second code by email after the password." errors={errs}>
          <select id="sie-mfa-policy" value={x.mfa.factors.includes('email') ? x.mfa.policy : 'off'} onChange={(e) => set({ ...x, mfa: { factors: ['email'], policy: e.target.value as SignInExperience['mfa']['policy'] } })} {...aria('sie-mfa-policy', errs, true)}>
            <option value="off">Off</option>
            <option value="user-controlled">Users choose</option>
            <option value="mandatory">Required for everyone</option>
          </select>
        </Row>
      </fieldset>
      <fieldset className="card group">
        <legend>Languages and passwords</legend>
        <Row id="sie-lang" label="Default language" help="A language tag such as en, th or pt-BR." errors={errs}>
          <input id="sie-lang" type="text" value={x.languages.default} onChange={(e) => set({ ...x, languages: { ...x.languages, default: e.target.value } })} {...aria('sie-lang', errs, true)} />
        </Row>
        <FormCheck id="sie-autodetect" label="Detect the user's language from the browser" errors={errs} checked={x.languages.autoDetect} onChange={(on) => set({ ...x, languages: { ...x.languages, autoDetect: on } })} />
        <Row id="sie-minlength" label="Minimum password length" help="6 to 256 characters." errors={errs}>
          <input id="sie-minlength" type="number" min={6} max={256} step={1} value={Number.isFinite(x.passwordPolicy.minLength) ? String(x.passwordPolicy.minLength) : ''} onChange={(e) => set({ ...x, passwordPolicy: { minLength: e.target.value === '' ? NaN : Number(e.target.value) } })} {...aria('sie-minlength', errs, true)} />
        </Row>
      </fieldset>
      <fieldset className="card group">
        <legend>Account-security mail</legend>
        <p className="help">Notices mailed to the account when something changes on it. They carry no code, go through the outbox, and use the templates of the same names.</p>
        <FormCheck id="sie-notify-password" label="Password changed" help="After a password change in the account, or a reset by email." errors={errs} checked={x.notifications.passwordChanged} onChange={(on) => set({ ...x, notifications: { ...x.notifications, passwordChanged: on } })} />
        <FormCheck id="sie-notify-email" label="Email changed" help="Sent to the old address, with the new one partly hidden." errors={errs} checked={x.notifications.emailChanged} onChange={(on) => set({ ...x, notifications: { ...x.notifications, emailChanged: on } })} />
        <FormCheck id="sie-notify-mfa" label="MFA turned on or off" help="When a user turns email MFA on or off for their account." errors={errs} checked={x.notifications.mfaChanged} onChange={(on) => set({ ...x, notifications: { ...x.notifications, mfaChanged: on } })} />
        <FormCheck id="sie-notify-device" label="Sign-in from a new device" help="A browser that signed in through the hosted pages before is known by a long-lived cookie; plain API sign-ins never count as a new device." errors={errs} checked={x.notifications.newSignIn} onChange={(on) => set({ ...x, notifications: { ...x.notifications, newSignIn: on } })} />
      </fieldset>
      <fieldset className="card group">
        <legend>Email change and unknown addresses</legend>
        <FormCheck id="sie-confirm-old" label="Confirm an email change at the current address too" help="Besides the code sent to the new address, the user proves the current one with a code sent there; a password alone is not enough." errors={errs} checked={x.emailChange.confirmOld} onChange={(on) => set({ ...x, emailChange: { confirmOld: on } })} />
        <FormCheck id="sie-unknown" label="Tell unknown addresses that someone tried to sign in" help="A password-reset request, or with sign-up off a sign-in request, for an address without an account mails that address a short notice instead of nothing; at most one a day per address. The answer to the request is the same either way." errors={errs} checked={x.notifyUnknownRecipients} onChange={(on) => set({ ...x, notifyUnknownRecipients: on })} />
      </fieldset>
      {done ? <Notice kind="success">Saved.</Notice> : null}
      <ErrorBox error={error} title="Not saved." />
      {needsConnector ? (
        <p>
          <Link to="/connectors">Set up an email connector</Link> to use these settings.
        </p>
      ) : null}
      <SaveActions busy={busy} onDiscard={() => { set(saved); setError(undefined); }} />
    </form>
  );
}

function aria(id: string, errs: Record<string, string[]>, hasHelp: boolean) {
  const invalid = !!errs[id]?.length;
  return { 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy(id, hasHelp, invalid) };
}

/** The console's checkbox, its error taken from the form's error map. */
function FormCheck({ errors, ...p }: Omit<Parameters<typeof Check>[0], 'error'> & { errors: Record<string, string[]> }) {
  const e = errors[p.id];
  return <Check {...p} error={e?.length ? e.join(' ') : undefined} />;
}

function Row({ id, label, help, errors, children }: { id: string; label: string; help: string; errors: Record<string, string[]>; children: ReactNode }) {
  const e = errors[id];
  return (
    <div className={`field${e?.length ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      <p className="help" id={`${id}-help`}>
        {help}
      </p>
      {e?.length ? (
        <p className="field-error" id={`${id}-err`}>
          {e.join(' ')}
        </p>
      ) : null}
    </div>
  );
}
