import { useState, type FormEvent } from 'react';
import { api, ApiError, type EmailPolicy } from '../api.js';
import { Check } from '../ui/Check.js';
import { ErrorBox, Loading, Notice } from '../ui/Feedback.js';
import { Field, humanIssue } from '../ui/Field.js';
import { useLoad } from '../ui/useLoad.js';
import { SaveActions } from '../ui/SaveActions.js';

/** The domains typed in a box: one a line (commas and spaces also separate them). */
const splitRules = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((d) => d.trim())
    .filter(Boolean);
const joinRules = (rules: string[]) => rules.join('\n');

type ListKey = 'blockList' | 'allowList';

/**
 * The issues of a list as sentences beside its box, each naming the entry it is about
 * (`blockList.2` is the third domain typed), so that one bad line among hundreds is found.
 */
function listError(error: unknown, key: ListKey, typed: string[]): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const out: string[] = [];
  for (const i of error.issues) {
    const path = i.path.replace(/^body\./, '');
    if (path !== key && !path.startsWith(`${key}.`)) continue;
    const index = Number(path.slice(key.length + 1));
    const entry = Number.isInteger(index) ? typed[index] : undefined;
    const reason = /must be a domain/i.test(i.message) ? 'is not a domain. Write example.com for one domain, or *.example.com for all of its subdomains.' : humanIssue(i.message);
    out.push(entry !== undefined ? `“${entry}” ${reason}` : reason);
  }
  return out.length ? out.join(' ') : undefined;
}

/** `GET/PATCH /api/email-policy` (SPEC §19): which addresses may sign up or be mailed. */
export function EmailPolicyPage() {
  const state = useLoad(() => api.emailPolicy(), []);
  return (
    <section>
      <h1>Email domain policy</h1>
      <p className="muted">
        Which email addresses can be used for new accounts, for adding or changing an account's email, and as recipients of mail sent through the API. Existing accounts keep signing in. A refused address is answered with “This email address cannot be used here”; end users are never told which rule refused it.
      </p>
      <ErrorBox error={state.error} />
      {state.data ? <EmailPolicyForm initial={state.data} /> : state.loading ? <Loading what="the email domain policy" /> : null}
    </section>
  );
}

interface Draft {
  blockDisposable: boolean;
  blockSubaddressing: boolean;
  blockList: string;
  allowList: string;
}

const draftOf = (p: EmailPolicy): Draft => ({
  blockDisposable: p.blockDisposable,
  blockSubaddressing: p.blockSubaddressing,
  blockList: joinRules(p.blockList),
  allowList: joinRules(p.allowList),
});

function EmailPolicyForm({ initial }: { initial: EmailPolicy }) {
  const [saved, setSaved] = useState(initial);
  const [d, setD] = useState(() => draftOf(initial));
  // The entries as sent, so that an issue's index names the entry the user typed.
  const [sent, setSent] = useState<{ blockList: string[]; allowList: string[] }>({ blockList: [], allowList: [] });
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => {
    setD({ ...d, ...patch });
    setDone(false);
  };
  const other = (key: string) => (error instanceof ApiError ? error.issues.filter((i) => i.path.replace(/^body\./, '') === key).map((i) => humanIssue(i.message)).join(' ') || undefined : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { blockDisposable: d.blockDisposable, blockSubaddressing: d.blockSubaddressing, blockList: splitRules(d.blockList), allowList: splitRules(d.allowList) };
    setSent({ blockList: body.blockList, allowList: body.allowList });
    setBusy(true);
    setError(undefined);
    try {
      const next = await api.patchEmailPolicy(body);
      setSaved(next);
      setD(draftOf(next));
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Email domain policy">
      <fieldset className="card group">
        <legend>Rules</legend>
        <Check id="ep-disposable" label="Block disposable email domains" help="Refuses throwaway inbox services (mailinator.com and tens of thousands more, with their subdomains), from the list of the mailchecker package, which is updated with Postern." error={other('blockDisposable')} checked={d.blockDisposable} onChange={(v) => set({ blockDisposable: v })} />
        <Check id="ep-subaddressing" label="Block addresses with a +tag" help="Refuses jane+anything@example.com, so that one inbox cannot open many accounts. jane@example.com stays allowed." error={other('blockSubaddressing')} checked={d.blockSubaddressing} onChange={(v) => set({ blockSubaddressing: v })} />
      </fieldset>
      <fieldset className="card group">
        <legend>Domains</legend>
        <div className="grid-2">
          <Field id="ep-block-list" label="Block list" help="One domain a line. example.com blocks that domain; *.example.com blocks all of its subdomains (add both for both)." error={listError(error, 'blockList', sent.blockList)}>
            <textarea rows={8} className="mono" spellCheck={false} value={d.blockList} onChange={(e) => set({ blockList: e.target.value })} />
          </Field>
          <Field id="ep-allow-list" label="Allow list" help="Exceptions to every rule above, same syntax: an address on an allowed domain is accepted even if it is disposable, blocked or has a +tag." error={listError(error, 'allowList', sent.allowList)}>
            <textarea rows={8} className="mono" spellCheck={false} value={d.allowList} onChange={(e) => set({ allowList: e.target.value })} />
          </Field>
        </div>
      </fieldset>
      {done ? <Notice kind="success">Saved. Domains are stored in lower case, international ones in their ASCII (xn--) form.</Notice> : null}
      <ErrorBox error={error} title="Not saved." />
      <SaveActions busy={busy} onDiscard={() => { setD(draftOf(saved)); setError(undefined); setDone(false); }} />
    </form>
  );
}
