import { useState, type FormEvent } from 'react';
import { api, ApiError, type CodePolicy, type Tenant } from '../api.js';
import { ErrorBox, Loading, Notice } from '../ui/Feedback.js';
import { Field, issueMap } from '../ui/Field.js';
import { useLoad } from '../ui/useLoad.js';
import { useTenantType } from '../ui/useTenantType.js';
import { SaveActions } from '../ui/SaveActions.js';

type NumKey = Exclude<keyof CodePolicy, 'alphabet' | 'lockout' | 'testAddresses'>;
type LockKey = keyof CodePolicy['lockout'];

/** Each number with its range (SPEC §6), so the form shows the limits the server enforces. */
const NUMBERS: { key: NumKey; label: string; min: number; max: number; unit: string; help: string }[] = [
  { key: 'length', label: 'Code length', min: 4, max: 10, unit: 'characters', help: 'How many characters a code has.' },
  { key: 'ttlSeconds', label: 'Lifetime', min: 60, max: 3600, unit: 'seconds', help: 'How long a code stays valid.' },
  { key: 'maxAttempts', label: 'Attempts per code', min: 1, max: 20, unit: 'attempts', help: 'Wrong guesses before a code is used up.' },
  { key: 'resendCooldownSeconds', label: 'Resend cooldown', min: 0, max: 600, unit: 'seconds', help: 'Wait before another code for the same recipient and purpose.' },
  { key: 'maxSendsPerRecipientPerHour', label: 'Sends per recipient per hour', min: 1, max: 10000, unit: 'messages', help: 'Per tenant and recipient.' },
  { key: 'maxSendsPerIpPerHour', label: 'Sends per IP address per hour', min: 1, max: 1000000, unit: 'messages', help: 'Per tenant and client IP.' },
  { key: 'maxFailedPasswordsPerIpPerHour', label: 'Failed password sign-ins per IP address per hour', min: 1, max: 1000000, unit: 'failures', help: 'Wrong passwords and unknown addresses alike, across all addresses, from one client IP.' },
];
const LOCKOUT: { key: LockKey; label: string; min: number; max: number; unit: string; help: string }[] = [
  { key: 'maxFailures', label: 'Failures before lockout', min: 1, max: 10000, unit: 'failures', help: 'Wrong codes for one recipient within the window.' },
  { key: 'windowSeconds', label: 'Counting window', min: 60, max: 86400, unit: 'seconds', help: 'The period failures are counted over.' },
  { key: 'lockSeconds', label: 'Lock duration', min: 60, max: 86400, unit: 'seconds', help: 'How long the recipient is locked out.' },
];
const range = (n: { min: number; max: number; unit: string }) => `${n.min.toLocaleString('en')}–${n.max.toLocaleString('en')} ${n.unit}.`;
// An emptied number field is NaN here and stopped before sending: in a merge patch null would mean “remove”.
const num = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));
const shown = (n: number) => (Number.isFinite(n) ? String(n) : '');

/** `GET/PATCH /api/verification-code-policy`, with test addresses on development tenants. */
export function CodePolicyPage({ tenants }: { tenants: Tenant[] | undefined }) {
  const state = useLoad(() => api.codePolicy());
  const type = useTenantType(tenants);
  return (
    <section>
      <h1>Code policy</h1>
      <p className="muted">How verification codes are made and how often they may be sent and tried.</p>
      <ErrorBox error={state.error} />
      {state.data ? <PolicyForm initial={state.data} development={type !== 'production'} /> : state.loading ? <Loading what="the code policy" /> : null}
    </section>
  );
}

function PolicyForm({ initial, development }: { initial: CodePolicy; development: boolean }) {
  const [saved, setSaved] = useState(initial);
  const [p, setP] = useState(initial);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const errs = issueMap(error);
  const set = (next: CodePolicy) => {
    setP(next);
    setDone(false);
  };
  const addrError = (i: number, f: 'email' | 'code') => errs[`testAddresses.${i}.${f}`];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const empty = [...NUMBERS.filter((n) => !Number.isFinite(p[n.key])).map((n) => n.key), ...LOCKOUT.filter((n) => !Number.isFinite(p.lockout[n.key])).map((n) => `lockout.${n.key}`)];
    if (empty.length) {
      setError(new ApiError(400, 'request.invalid', 'Fill in every number.', { issues: empty.map((path) => ({ path, message: 'Enter a number.' })) }));
      return;
    }
    setBusy(true);
    setError(undefined);
    const patch: Partial<CodePolicy> = { ...p };
    // Production tenants cannot hold test addresses; sending an unchanged empty list is harmless elsewhere.
    if (!development && p.testAddresses.length === 0) delete patch.testAddresses;
    try {
      const next = await api.patchCodePolicy(patch);
      setSaved(next);
      setP(next);
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Code policy">
      <fieldset className="card group">
        <legend>Codes</legend>
        <div className="grid-2">
          {NUMBERS.slice(0, 1).map((n) => (
            <Field key={n.key} id={`cp-${n.key}`} label={n.label} help={`${n.help} ${range(n)}`} error={errs[n.key]}>
              <input type="number" min={n.min} max={n.max} step={1} value={shown(p[n.key])} onChange={(e) => set({ ...p, [n.key]: num(e.target.value) })} />
            </Field>
          ))}
          <Field id="cp-alphabet" label="Alphabet" help="Alphanumeric codes leave out look-alike characters (0/O, 1/I)." error={errs.alphabet}>
            <select value={p.alphabet} onChange={(e) => set({ ...p, alphabet: e.target.value as CodePolicy['alphabet'] })}>
              <option value="numeric">Digits only (numeric)</option>
              <option value="alphanumeric">Letters and digits (alphanumeric)</option>
            </select>
          </Field>
          {NUMBERS.slice(1, 3).map((n) => (
            <Field key={n.key} id={`cp-${n.key}`} label={n.label} help={`${n.help} ${range(n)}`} error={errs[n.key]}>
              <input type="number" min={n.min} max={n.max} step={1} value={shown(p[n.key])} onChange={(e) => set({ ...p, [n.key]: num(e.target.value) })} />
            </Field>
          ))}
        </div>
      </fieldset>
      <fieldset className="card group">
        <legend>Sending limits</legend>
        <div className="grid-3">
          {NUMBERS.slice(3).map((n) => (
            <Field key={n.key} id={`cp-${n.key}`} label={n.label} help={`${n.help} ${range(n)}`} error={errs[n.key]}>
              <input type="number" min={n.min} max={n.max} step={1} value={shown(p[n.key])} onChange={(e) => set({ ...p, [n.key]: num(e.target.value) })} />
            </Field>
          ))}
        </div>
      </fieldset>
      <fieldset className="card group">
        <legend>Lockout</legend>
        <div className="grid-3">
          {LOCKOUT.map((n) => (
            <Field key={n.key} id={`cp-lockout-${n.key}`} label={n.label} help={`${n.help} ${range(n)}`} error={errs[`lockout.${n.key}`]}>
              <input type="number" min={n.min} max={n.max} step={1} value={shown(p.lockout[n.key])} onChange={(e) => set({ ...p, lockout: { ...p.lockout, [n.key]: num(e.target.value) } })} />
            </Field>
          ))}
        </div>
      </fieldset>
      <fieldset className={`card group${errs.testAddresses ? ' invalid' : ''}`} aria-describedby="cp-test-help">
        <legend>Test addresses</legend>
        <p className="help" id="cp-test-help">
          These addresses always get the fixed code below and no email, so apps can run end-to-end tests. Development tenants only.
        </p>
        {!development && p.testAddresses.length === 0 ? (
          <p className="muted">This is a production tenant: test addresses are not available.</p>
        ) : (
          <>
            {p.testAddresses.map((t, i) => (
              <div className="record-row test-address" key={i}>
                <Field id={`cp-test-${i}-email`} label={`Email ${i + 1}`} error={addrError(i, 'email')}>
                  <input type="email" value={t.email} onChange={(e) => set({ ...p, testAddresses: p.testAddresses.map((x, j) => (j === i ? { ...x, email: e.target.value } : x)) })} />
                </Field>
                <Field id={`cp-test-${i}-code`} label={`Code ${i + 1}`} error={addrError(i, 'code')}>
                  <input type="text" className="mono" spellCheck={false} value={t.code} onChange={(e) => set({ ...p, testAddresses: p.testAddresses.map((x, j) => (j === i ? { ...x, code: e.target.value } : x)) })} />
                </Field>
                <button type="button" className="danger-outline small" onClick={() => set({ ...p, testAddresses: p.testAddresses.filter((_, j) => j !== i) })}>
                  Remove<span className="visually-hidden"> test address {i + 1}</span>
                </button>
              </div>
            ))}
            <button type="button" className="secondary small" onClick={() => set({ ...p, testAddresses: [...p.testAddresses, { email: '', code: '' }] })}>
              Add test address
            </button>
          </>
        )}
        {errs.testAddresses ? (
          <p className="field-error" role="alert">
            Test addresses: {errs.testAddresses}
          </p>
        ) : null}
      </fieldset>
      {done ? <Notice kind="success">Code policy saved.</Notice> : null}
      <ErrorBox error={error} title="Not saved." />
      <SaveActions busy={busy} onDiscard={() => { set(saved); setError(undefined); }} />
    </form>
  );
}
