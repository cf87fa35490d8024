import { useState, type FormEvent } from 'react';
import { api, type NewSmtpCredential, type SmtpCredential, type SmtpListener } from '../api.js';
import { CopyButton } from '../ui/CopyButton.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { Field, issueMap } from '../ui/Field.js';
import { SecretValue } from '../ui/SecretValue.js';
import { useLoad } from '../ui/useLoad.js';
import { ConfirmDelete } from '../ui/ConfirmDelete.js';

/** The domains typed in one box, split on commas, spaces and new lines. */
const splitDomains = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((d) => d.trim())
    .filter(Boolean);

/**
 * SMTP submission (SPEC §18): whether the listener runs and where, the tenant's SMTP
 * credentials (the password of a new one shown once), and what to paste into Keycloak,
 * Zitadel, Supabase or Authentik.
 */
export function SmtpRelayPage() {
  const listener = useLoad(() => api.smtpListener(), []);
  const creds = useLoad(() => api.smtpCredentials().then((p) => p.items), []);
  const [form, setForm] = useState({ name: '', domains: '', cap: '1000' });
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<NewSmtpCredential>();
  const [confirm, setConfirm] = useState<string>();
  const [message, setMessage] = useState('');
  const errs = issueMap(error);
  const domainsError = Object.entries(errs)
    .filter(([k]) => k.startsWith('allowedFromDomains'))
    .map(([, v]) => v)
    .join(' ');

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setMessage('');
    try {
      const cap = form.cap.trim() === '' ? undefined : Number(form.cap);
      const made = await api.createSmtpCredential({
        name: form.name.trim(),
        allowedFromDomains: splitDomains(form.domains),
        ...(cap === undefined ? {} : { maxRecipientsPerHour: cap }),
      });
      setCreated(made);
      setForm({ name: '', domains: '', cap: '1000' });
      await creds.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (c: SmtpCredential) => {
    setConfirm(undefined);
    setError(undefined);
    try {
      await api.deleteSmtpCredential(c.id);
      if (created?.id === c.id) setCreated(undefined);
      setMessage(`The credential ${c.name} was deleted; clients that use it can no longer send.`);
      await creds.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section>
      <h1>SMTP relay</h1>
      <p className="muted">
        Systems that only speak SMTP — Keycloak, Zitadel, Supabase Auth, Ory Kratos, Authentik or your own app — can
        use Postern as their mail server. Their messages then go through this tenant&rsquo;s email connector and
        fallback, are DKIM-signed when a key exists for the From domain, skip suppressed recipients and appear in the
        email log.
      </p>
      <ListenerCard listener={listener.data} error={listener.error} loading={listener.loading} />
      <form className="card" onSubmit={create} noValidate aria-label="New SMTP credential">
        <h2>New credential</h2>
        <Field id="smtp-name" label="Name" help="Who will use it, such as keycloak." error={errs.name}>
          <input type="text" value={form.name} maxLength={200} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field
          id="smtp-domains"
          label="Allowed From domains"
          help="The envelope sender and the From: header must both be in one of these domains; separate several with commas."
          error={domainsError || undefined}
        >
          <input type="text" spellCheck={false} placeholder="example.com" value={form.domains} onChange={(e) => setForm({ ...form, domains: e.target.value })} />
        </Field>
        <Field id="smtp-cap" label="Hourly recipient cap" help="Recipients this credential may send to in an hour; more are asked to try later." error={errs.maxRecipientsPerHour}>
          <input type="number" min={1} max={1000000} step={1} value={form.cap} onChange={(e) => setForm({ ...form, cap: e.target.value })} />
        </Field>
        <button type="submit" className="primary">
          Create credential
        </button>
      </form>
      <ErrorBox error={error ?? creds.error} />
      {message ? <Notice kind="success">{message}</Notice> : null}
      {created ? <CreatedCredential credential={created} listener={listener.data} onDone={() => setCreated(undefined)} /> : null}
      <div className="card">
        <h2>Credentials</h2>
        {creds.loading && !creds.data ? <Loading what="SMTP credentials" /> : null}
        {creds.data?.length === 0 ? <p className="muted">No SMTP credential yet.</p> : null}
        {creds.data?.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Username</th>
                <th scope="col">Allowed From domains</th>
                <th scope="col">Recipients an hour</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {creds.data.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td className="nowrap">
                    <code>{c.username}</code> <CopyButton text={c.username} label={`Copy the username of ${c.name}`} />
                  </td>
                  <td>{c.allowedFromDomains.join(', ')}</td>
                  <td>{c.maxRecipientsPerHour.toLocaleString()}</td>
                  <td>{formatDate(c.createdAt)}</td>
                  <td className="right nowrap">
                    {confirm === c.id ? (
                      <ConfirmDelete what="credential" name={c.name} onYes={() => void remove(c)} onNo={() => setConfirm(undefined)} />
                    ) : (
                      <button type="button" className="danger-outline small" onClick={() => setConfirm(c.id)} aria-label={`Delete ${c.name}`}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </section>
  );
}

/** One value a client needs, with its copy button. */
function CopyRow({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} className="mono" type="text" readOnly value={value} onFocus={(e) => e.target.select()} />
        <CopyButton text={value} label={`Copy the ${label.toLowerCase()}`} selectId={id} />
      </div>
    </div>
  );
}

function tlsMode(l: SmtpListener): string {
  const modes = [l.port !== null ? `STARTTLS on ${l.port}` : '', l.smtpsPort !== null ? `implicit TLS on ${l.smtpsPort}` : ''].filter(Boolean);
  return `${modes.join(', ')}; AUTH PLAIN or LOGIN, only inside TLS`;
}

function ListenerCard({ listener: l, error, loading }: { listener: SmtpListener | undefined; error: unknown; loading: boolean }) {
  const [downloadError, setDownloadError] = useState<unknown>();
  const download = async () => {
    setDownloadError(undefined);
    try {
      const cert = await api.smtpCertificate();
      const url = URL.createObjectURL(new Blob([cert.pem], { type: 'application/x-pem-file' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'postern-smtp.pem';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setDownloadError(e);
    }
  };
  if (loading && !l) return <Loading what="the SMTP listener" />;
  if (error) return <ErrorBox error={error} />;
  if (!l) return null;
  if (!l.enabled) {
    return (
      <div className="notice warning" role="status">
        <p>
          <strong>The SMTP listener is not enabled.</strong> Set <code>POSTERN_SMTP_PORT</code> (STARTTLS, usually 587) and/or{' '}
          <code>POSTERN_SMTPS_PORT</code> (implicit TLS, usually 465) and restart Postern. Credentials made here work
          once it listens.
        </p>
      </div>
    );
  }
  return (
    <div className="card" aria-label="SMTP server">
      <h2>Server</h2>
      <p className="muted small">The listener is on: {tlsMode(l)}.</p>
      <CopyRow id="smtp-host" label="Host" value={l.host ?? ''} />
      {l.port !== null ? <CopyRow id="smtp-port" label="Port (STARTTLS)" value={String(l.port)} /> : null}
      {l.smtpsPort !== null ? <CopyRow id="smtp-smtps-port" label="Port (implicit TLS)" value={String(l.smtpsPort)} /> : null}
      <CopyRow id="smtp-fingerprint" label="Certificate fingerprint (SHA-256)" value={l.fingerprint ?? ''} />
      <p className="small">
        {l.certificateGenerated
          ? 'The certificate is self-signed by Postern: clients that verify certificates (Keycloak, Zitadel) must be given it to trust.'
          : 'The certificate comes from POSTERN_SMTP_TLS_CERT.'}{' '}
        <button type="button" className="secondary small" onClick={() => void download()}>
          Download certificate
        </button>
      </p>
      <ErrorBox error={downloadError} />
    </div>
  );
}

function CreatedCredential({ credential: c, listener: l, onDone }: { credential: NewSmtpCredential; listener: SmtpListener | undefined; onDone(): void }) {
  const port = l?.port ?? l?.smtpsPort ?? null;
  const starttls = l?.port !== null && l?.port !== undefined;
  return (
    <div className="notice success" role="status" aria-label={`Credential ${c.name}`}>
      <p>
        <strong>Credential {c.name} created.</strong> Copy the password now: it is not shown again.
      </p>
      <CopyRow id="smtp-new-username" label="Username" value={c.username} />
      <div className="field">
        <label htmlFor="smtp-new-password">Password</label>
        <SecretValue id="smtp-new-password" label="SMTP password" value={c.password} />
      </div>
      <h3>Paste into</h3>
      <ul className="small">
        <li>
          <strong>Keycloak</strong> (Realm settings → Email): Host <code>{l?.host ?? 'the Postern host'}</code>, Port{' '}
          <code>{port ?? '587'}</code>, {starttls ? <>Enable StartTLS on</> : <>Enable SSL on</>}, Authentication on, Username and Password above, From an
          address in {c.allowedFromDomains.join(' or ')}.
        </li>
        <li>
          <strong>Supabase Auth</strong> (Authentication → SMTP settings): Host, Port <code>{port ?? '587'}</code>, Username and Password above, Sender
          email in {c.allowedFromDomains.join(' or ')}.
        </li>
        <li>
          <strong>Zitadel</strong>: Host <code>{`${l?.host ?? 'postern.example.com'}:${port ?? 587}`}</code>, TLS on. <strong>Authentik</strong>:{' '}
          <code>EMAIL__HOST</code>, <code>EMAIL__PORT</code>, <code>EMAIL__USE_TLS=true</code>, <code>EMAIL__USERNAME</code>, <code>EMAIL__PASSWORD</code>.
        </li>
      </ul>
      <button type="button" className="secondary" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
