import { useState, type FormEvent } from 'react';
import { api, type Application } from '../api.js';
import { serverSnippet, spaSnippet } from '../applications/snippets.js';
import { navigate } from '../router.js';
import { CopyButton } from '../ui/CopyButton.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { Field, issueMap } from '../ui/Field.js';
import { Link } from '../ui/Link.js';
import { SecretValue } from '../ui/SecretValue.js';
import { useLoad } from '../ui/useLoad.js';

type AppType = Application['type'];

const TYPES: { value: AppType; label: string; help: string }[] = [
  { value: 'traditional', label: 'Traditional web app', help: 'A server that keeps a client secret.' },
  { value: 'spa', label: 'Single-page app', help: 'Browser code: no secret, PKCE required.' },
  { value: 'native', label: 'Native app', help: 'Mobile or desktop: no secret, PKCE required; loopback redirects.' },
];
const typeLabel = (t: AppType) => TYPES.find((x) => x.value === t)?.label ?? t;

const lines = (v: string) =>
  v
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);

/** An issue for a list field: the field's own, or its first item's (`redirectUris.0`). */
const listIssue = (issues: Record<string, string>, field: string) =>
  issues[field] ?? Object.entries(issues).find(([k]) => k.startsWith(`${field}.`))?.[1];

/** A secret just made: shown once, with Reveal and Copy. */
function SecretOnce({ secret }: { secret: string }) {
  return (
    <div className="card secret" role="region" aria-label="The new client secret">
      <Notice kind="warning">Copy the client secret now: it is shown only once. Rotate it if it is lost.</Notice>
      <SecretValue id="app-secret" label="Client secret" value={secret} />
    </div>
  );
}

/** `/applications`: the tenant's applications (OIDC clients), and registering one. */
export function ApplicationsPage() {
  const apps = useLoad(() => api.applications(), []);
  return (
    <section>
      <h1>Applications</h1>
      <p className="muted">
        Applications sign their users in through Postern with OpenID Connect. Register one, then give it the issuer,
        its client id and its redirect URI.
      </p>
      <CreateForm />
      <h2>Registered applications</h2>
      <ErrorBox error={apps.error} />
      {apps.loading && !apps.data ? <Loading what="applications" /> : null}
      {apps.data ? (
        apps.data.items.length === 0 ? (
          <p className="card empty">No applications yet.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Applications">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Client id</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {apps.data.items.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <Link to={`/applications/${encodeURIComponent(a.id)}`}>{a.name}</Link>
                    </td>
                    <td>{typeLabel(a.type)}</td>
                    <td>
                      <code>{a.clientId}</code>
                    </td>
                    <td className="nowrap">{formatDate(a.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}

type IdTokenAlg = 'ES256' | 'RS256';
const ALG_HELP = 'ES256 is the default; choose RS256 only for a client library that cannot verify ES256.';

/** The ID token algorithm picker; `Field` passes the id and aria attributes that link its label and help. */
function AlgSelect({ value, onChange, ...aria }: { value: IdTokenAlg; onChange(v: IdTokenAlg): void; id?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) {
  return (
    <select {...aria} value={value} onChange={(e) => onChange(e.target.value as IdTokenAlg)}>
      <option value="ES256">ES256</option>
      <option value="RS256">RS256</option>
    </select>
  );
}

function CreateForm() {
  const [name, setName] = useState('');
  const [type, setType] = useState<AppType>('traditional');
  const [redirects, setRedirects] = useState('');
  const [alg, setAlg] = useState<IdTokenAlg>('ES256');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const issues = issueMap(error);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const made = await api.createApplication({
        name: name.trim(),
        type,
        redirectUris: lines(redirects),
        idTokenSignedResponseAlg: alg,
      });
      // The secret is handed to the details page once, in memory (never in the URL or storage).
      created.secret = made.clientSecret ?? null;
      navigate(`/applications/${encodeURIComponent(made.id)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card" onSubmit={(e) => void create(e)} noValidate aria-label="Register an application">
      <h2>Register an application</h2>
      <Field id="app-name" label="Name" help="Shown in sign-in emails." error={issues.name}>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </Field>
      <Field id="app-type" label="Type" help={TYPES.find((t) => t.value === type)?.help} error={issues.type}>
        <select value={type} onChange={(e) => setType(e.target.value as AppType)}>
          {TYPES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </Field>
      <Field id="app-redirects" label="Redirect URIs" help="One per line; they must match exactly." error={listIssue(issues, 'redirectUris')}>
        <textarea rows={2} value={redirects} onChange={(e) => setRedirects(e.target.value)} placeholder="https://app.example.com/callback" />
      </Field>
      <Field id="app-alg" label="ID token algorithm" help={ALG_HELP} error={issues.idTokenSignedResponseAlg}>
        <AlgSelect value={alg} onChange={setAlg} />
      </Field>
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Register application
      </button>
    </form>
  );
}

/** The secret of the application just created, for its details page to show once. */
const created: { secret: string | null } = { secret: null };

function CopyRow({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="row copy-row">
        <input id={id} type="text" className="mono" readOnly value={value} onFocus={(e) => e.target.select()} />
        <CopyButton text={value} label={`Copy the ${label.toLowerCase()}`} selectId={id} />
      </div>
    </div>
  );
}

function Snippet({ id, title, code }: { id: string; title: string; code: string }) {
  return (
    <div className="field">
      <div className="row">
        <h3 id={`${id}-title`}>{title}</h3>
        <CopyButton text={code} label={`Copy the ${title} snippet`} selectId={id} />
      </div>
      <textarea id={id} className="mono snippet" aria-labelledby={`${id}-title`} readOnly rows={14} value={code} />
    </div>
  );
}

/** `/applications/:id`: what the app needs (copyable), snippets, editing, the secret, deleting. */
export function ApplicationPage({ id }: { id: string }) {
  const app = useLoad(() => api.application(id), [id]);
  const issuer = useLoad(() => api.issuer(), []);
  const [secret, setSecret] = useState<string | null>(() => {
    const s = created.secret;
    created.secret = null;
    return s;
  });
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();

  const rotate = async () => {
    setError(undefined);
    setNotice(null);
    if (!window.confirm('Make a new client secret? The current one stops working at once.')) return;
    try {
      setSecret((await api.rotateApplicationSecret(id)).clientSecret);
      setNotice('New client secret made; the previous one no longer works.');
    } catch (e) {
      setError(e);
    }
  };
  const remove = async (a: Application) => {
    setError(undefined);
    if (!window.confirm(`Delete ${a.name}? Its users are signed out of it and its tokens stop working.`)) return;
    try {
      await api.deleteApplication(a.id);
      navigate('/applications');
    } catch (e) {
      setError(e);
    }
  };

  const a = app.data;
  const redirect = a?.redirectUris[0] ?? '';
  const snippetInput = a && issuer.data ? { issuer: issuer.data, clientId: a.clientId, redirectUri: redirect } : null;
  return (
    <section>
      <p className="crumbs">
        <Link to="/applications">Applications</Link> /
      </p>
      <h1>{a?.name ?? 'Application'}</h1>
      <ErrorBox error={app.error} />
      {app.loading && !a ? <Loading what="the application" /> : null}
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ErrorBox error={error} title="That did not work." />
      {secret ? <SecretOnce secret={secret} /> : null}
      {a ? (
        <>
          <div className="card" aria-label="Connection values">
            <h2>Connect your app</h2>
            <p className="muted">
              {typeLabel(a.type)}
              {a.hasClientSecret ? ' with a client secret' : ': a public client, PKCE (S256) required'}.
            </p>
            <ErrorBox error={issuer.error} />
            {issuer.data ? <CopyRow id="app-issuer" label="Issuer" value={issuer.data} /> : null}
            <CopyRow id="app-client-id" label="Client id" value={a.clientId} />
            {a.redirectUris.map((u, i) => (
              <CopyRow key={u} id={`app-redirect-${i}`} label={a.redirectUris.length > 1 ? `Redirect URI ${i + 1}` : 'Redirect URI'} value={u} />
            ))}
            {a.hasClientSecret ? (
              <p>
                <button type="button" className="secondary" onClick={() => void rotate()}>
                  Rotate client secret
                </button>
              </p>
            ) : null}
          </div>
          {snippetInput ? (
            <div className="card" aria-label="Snippets">
              <h2>Code to copy</h2>
              <p className="muted">
                A complete Node server with <code>openid-client</code> ({a.hasClientSecret ? 'set POSTERN_CLIENT_SECRET to the secret' : 'no secret needed'}),
                and a browser page with no library (add its origin to the CORS origins below).
              </p>
              <Snippet id="snippet-server" title="Node server (openid-client)" code={serverSnippet(snippetInput)} />
              <Snippet id="snippet-spa" title="Browser SPA" code={spaSnippet(snippetInput)} />
            </div>
          ) : null}
          <EditForm key={a.updatedAt} app={a} onSaved={(next) => (app.setData(next), setNotice('Application saved.'))} />
          <div className="card">
            <h2>Delete</h2>
            <p className="muted">Created {formatDate(a.createdAt)}. Deleting it ends its sign-ins and tokens.</p>
            <button type="button" className="danger" onClick={() => void remove(a)}>
              Delete application
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}

function EditForm({ app, onSaved }: { app: Application; onSaved(a: Application): void }) {
  const [name, setName] = useState(app.name);
  const [redirects, setRedirects] = useState(app.redirectUris.join('\n'));
  const [logout, setLogout] = useState(app.postLogoutRedirectUris.join('\n'));
  const [cors, setCors] = useState(app.corsOrigins.join('\n'));
  const [logo, setLogo] = useState(app.logoUrl ?? '');
  const [alg, setAlg] = useState<IdTokenAlg>(app.idTokenSignedResponseAlg);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const issues = issueMap(error);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSaved(
        await api.updateApplication(app.id, {
          name: name.trim(),
          redirectUris: lines(redirects),
          postLogoutRedirectUris: lines(logout),
          corsOrigins: lines(cors),
          logoUrl: logo.trim() || null,
          idTokenSignedResponseAlg: alg,
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card" onSubmit={(e) => void save(e)} noValidate aria-label="Edit the application">
      <h2>Settings</h2>
      <Field id="edit-name" label="Name" error={issues.name}>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </Field>
      <Field id="edit-redirects" label="Redirect URIs" help="One per line; they must match exactly." error={listIssue(issues, 'redirectUris')}>
        <textarea rows={3} value={redirects} onChange={(e) => setRedirects(e.target.value)} />
      </Field>
      <Field id="edit-logout" label="Post-logout redirect URIs" help="Where sign-out may return to; one per line." error={listIssue(issues, 'postLogoutRedirectUris')}>
        <textarea rows={2} value={logout} onChange={(e) => setLogout(e.target.value)} />
      </Field>
      <Field id="edit-cors" label="CORS origins" help="Origins whose browser code may call the token and sign-in APIs, such as https://app.example.com; one per line." error={listIssue(issues, 'corsOrigins')}>
        <textarea rows={2} value={cors} onChange={(e) => setCors(e.target.value)} />
      </Field>
      <Field id="edit-logo" label="Logo URL" help="Shown in sign-in emails." error={issues.logoUrl}>
        <input type="url" value={logo} onChange={(e) => setLogo(e.target.value)} placeholder="https://cdn.example.com/logo.png" />
      </Field>
      <Field id="edit-alg" label="ID token algorithm" help={ALG_HELP} error={issues.idTokenSignedResponseAlg}>
        <AlgSelect value={alg} onChange={setAlg} />
      </Field>
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Save
      </button>
    </form>
  );
}
