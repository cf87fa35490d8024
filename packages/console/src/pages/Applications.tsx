import { useState, type FormEvent } from 'react';
import { api, tenantPrefix, type Application } from '../api.js';
import { session } from '../session.js';
import { ErrorBox, formatDate, Loading } from '../ui/Feedback.js';
import { CopyButton } from '../ui/CopyButton.js';
import { SecretValue } from '../ui/SecretValue.js';
import { Field, issueMap } from '../ui/Field.js';
import { useLoad } from '../ui/useLoad.js';

const TYPE_WORDS: Record<Application['type'], string> = {
  traditional: 'Web app with a server (client secret)',
  spa: 'Single-page app (PKCE, no secret)',
  native: 'Native or mobile app (PKCE, no secret)',
};

const lines = (text: string) =>
  text
    .split(/\s*\n\s*/)
    .map((l) => l.trim())
    .filter(Boolean);

/** `/applications`: the OIDC clients (SPEC §19), the client secret shown once with Reveal and Copy. */
export function ApplicationsPage() {
  const list = useLoad(() => api.applications(), []);
  const [shown, setShown] = useState<{ app: Application; secret?: string; rotated?: boolean }>();
  const issuer = `${window.location.origin}${tenantPrefix(session.tenantId())}/oidc`;
  return (
    <section>
      <h1>Applications</h1>
      <p className="muted">Apps that sign their users in through this tenant with OpenID Connect.</p>
      <div className="card">
        <dl className="facts">
          <dt>Issuer</dt>
          <dd>
            <code className="code break">{issuer}</code> <CopyButton text={issuer} label="Copy the issuer URL" />
          </dd>
          <dt>Discovery</dt>
          <dd>
            <code className="code break">{issuer}/.well-known/openid-configuration</code> <CopyButton text={`${issuer}/.well-known/openid-configuration`} label="Copy the discovery URL" />
          </dd>
        </dl>
      </div>
      {shown ? <Credentials {...shown} onDone={() => setShown(undefined)} /> : null}
      <CreateApplication
        onCreated={(app, secret) => {
          setShown({ app, ...(secret ? { secret } : {}) });
          void list.reload();
        }}
      />
      <ErrorBox error={list.error} />
      {list.data === undefined ? (
        list.loading ? <Loading what="applications" /> : null
      ) : list.data.items.length === 0 ? (
        <p className="card empty">No application yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Applications</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Client id</th>
                <th scope="col">Redirect URIs</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((a) => (
                <ApplicationRow key={a.id} app={a} onRotated={(app, secret) => setShown({ app, secret, rotated: true })} onDeleted={() => void list.reload()} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Credentials({ app, secret, rotated, onDone }: { app: Application; secret?: string; rotated?: boolean; onDone(): void }) {
  return (
    <div className="notice success secret-once" role="status">
      <p>
        <strong>{rotated ? `New client secret for ${app.name}.` : `${app.name} is registered.`}</strong>{' '}
        {secret ? 'Copy the client secret now: it is shown only this once.' : 'It is a public client: it signs in with PKCE and has no secret.'}
      </p>
      <div className="field">
        <strong>Client id</strong>
        <p>
          <code className="code break">{app.clientId}</code> <CopyButton text={app.clientId} label="Copy the client id" />
        </p>
      </div>
      {secret ? (
        <div className="field">
          <strong>Client secret</strong>
          <SecretValue id={`secret-${app.id}`} label="Client secret" value={secret} />
        </div>
      ) : null}
      <button type="button" className="secondary small" onClick={onDone}>
        Done, I kept it
      </button>
    </div>
  );
}

function CreateApplication({ onCreated }: { onCreated(app: Application, secret?: string): void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [type, setType] = useState<Application['type']>('traditional');
  const [redirects, setRedirects] = useState('');
  const [origins, setOrigins] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const issues = issueMap(error);
  const issueAt = (prefix: string) =>
    Object.entries(issues)
      .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`))
      .map(([, v]) => v)
      .join(' ') || undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const made = await api.createApplication({ name: name.trim(), type, redirectUris: lines(redirects), ...(lines(origins).length ? { corsOrigins: lines(origins) } : {}) });
      const { clientSecret, ...app } = made;
      onCreated(app, clientSecret);
      setName('');
      setRedirects('');
      setOrigins('');
      setOpen(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!open)
    return (
      <p>
        <button type="button" className="primary" onClick={() => setOpen(true)}>
          Add application
        </button>
      </p>
    );
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="Add application" noValidate>
      <h2>Add application</h2>
      <Field id="app-name" label="Name" error={issueAt('name')} help="Shown to users on the sign-in page.">
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      </Field>
      <Field id="app-type" label="Kind of app" error={issueAt('type')}>
        <select value={type} onChange={(e) => setType(e.target.value as Application['type'])}>
          {(Object.keys(TYPE_WORDS) as Application['type'][]).map((t) => (
            <option key={t} value={t}>
              {TYPE_WORDS[t]}
            </option>
          ))}
        </select>
      </Field>
      <Field id="app-redirects" label="Redirect URIs" error={issueAt('redirectUris')} help="One per line, where the app receives the sign-in answer, such as https://app.example.com/callback.">
        <textarea rows={3} value={redirects} onChange={(e) => setRedirects(e.target.value)} />
      </Field>
      <Field id="app-origins" label="Allowed browser origins (optional)" error={issueAt('corsOrigins')} help="One per line, such as https://app.example.com, for apps that call the API from the browser.">
        <textarea rows={2} value={origins} onChange={(e) => setOrigins(e.target.value)} />
      </Field>
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add application'}
      </button>{' '}
      <button type="button" className="secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

function ApplicationRow({ app, onRotated, onDeleted }: { app: Application; onRotated(app: Application, secret: string): void; onDeleted(): void }) {
  const [confirm, setConfirm] = useState<'delete' | 'rotate'>();
  const [error, setError] = useState<unknown>();
  const act = async () => {
    setError(undefined);
    try {
      if (confirm === 'rotate') {
        const { clientSecret, ...rest } = await api.rotateApplicationSecret(app.id);
        onRotated(rest, clientSecret);
      } else {
        await api.deleteApplication(app.id);
        onDeleted();
      }
      setConfirm(undefined);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <tr>
      <td>{app.name}</td>
      <td>{app.type}</td>
      <td className="nowrap">
        <code className="code">{app.clientId}</code> <CopyButton text={app.clientId} label={`Copy the client id of ${app.name}`} />
      </td>
      <td className="break">{app.redirectUris.join(', ')}</td>
      <td className="nowrap">{formatDate(app.createdAt)}</td>
      <td className="nowrap">
        <ErrorBox error={error} />
        {confirm ? (
          <span role="alertdialog" aria-label={confirm === 'delete' ? `Delete ${app.name}?` : `Replace the secret of ${app.name}?`} className="confirm">
            {confirm === 'delete' ? `Delete ${app.name}? Its users can no longer sign in to it.` : 'The old secret stops working at once.'}{' '}
            <button type="button" className="danger small" onClick={() => void act()} autoFocus>
              {confirm === 'delete' ? 'Yes, delete' : 'Yes, replace'}
            </button>{' '}
            <button type="button" className="secondary small" onClick={() => setConfirm(undefined)}>
              Cancel
            </button>
          </span>
        ) : (
          <>
            {app.hasClientSecret ? (
              <button type="button" className="secondary small" aria-label={`New client secret for ${app.name}`} onClick={() => setConfirm('rotate')}>
                New secret
              </button>
            ) : null}{' '}
            <button type="button" className="danger-outline small" aria-label={`Delete ${app.name}`} onClick={() => setConfirm('delete')}>
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
