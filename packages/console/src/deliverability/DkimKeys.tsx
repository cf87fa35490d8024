import { useState, type FormEvent } from 'react';
import { api, type DkimKey } from '../api.js';
import { CopyButton } from '../ui/CopyButton.js';
import { ErrorBox, formatDate, Loading } from '../ui/Feedback.js';
import { Field, issueMap } from '../ui/Field.js';
import { useLoad } from '../ui/useLoad.js';
import { ConfirmDelete } from '../ui/ConfirmDelete.js';

/** `GET/POST/DELETE /api/dkim-keys`, with the DNS record each key needs. */
export function DkimKeys() {
  const keys = useLoad(() => api.dkimKeys().then((r) => r.items));
  const [form, setForm] = useState({ domain: '', selector: '' });
  const [error, setError] = useState<unknown>();
  const [shownId, setShownId] = useState<string>();
  const [confirm, setConfirm] = useState<string>();
  const errs = issueMap(error);
  const shown = keys.data?.find((k) => k.id === shownId);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const k = await api.createDkimKey(form.domain.trim(), form.selector.trim());
      setForm({ domain: '', selector: '' });
      await keys.reload();
      setShownId(k.id);
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (id: string) => {
    setConfirm(undefined);
    try {
      await api.deleteDkimKey(id);
      if (shownId === id) setShownId(undefined);
      await keys.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="card">
      <h2>DKIM keys</h2>
      <p className="muted small">Postern makes an RSA-2048 key and keeps the private half encrypted. Publish the DNS record, then have an SMTP connector sign with it.</p>
      <form className="inline-form" onSubmit={create} noValidate aria-label="New DKIM key">
        <Field id="dkim-domain" label="Domain" error={errs.domain}>
          <input type="text" spellCheck={false} placeholder="auth.example.com" value={form.domain} onChange={(e) => setForm({ ...form, domain: e.target.value })} />
        </Field>
        <Field id="dkim-selector" label="Selector" error={errs.selector}>
          <input type="text" spellCheck={false} placeholder="postern1" value={form.selector} onChange={(e) => setForm({ ...form, selector: e.target.value })} />
        </Field>
        <button type="submit" className="primary">
          Create key
        </button>
      </form>
      <ErrorBox error={error ?? keys.error} />
      {keys.loading && !keys.data ? <Loading what="DKIM keys" /> : null}
      {keys.data?.length === 0 ? <p className="muted">No DKIM keys yet.</p> : null}
      {keys.data?.length ? (
        <table className="keys">
          <thead>
            <tr>
              <th scope="col">Domain</th>
              <th scope="col">Selector</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <td>{k.domain}</td>
                <td>
                  <code>{k.selector}</code>
                </td>
                <td>{formatDate(k.createdAt)}</td>
                <td className="right nowrap">
                  <button type="button" className="secondary small" aria-expanded={shownId === k.id} onClick={() => setShownId(shownId === k.id ? undefined : k.id)}>
                    {shownId === k.id ? 'Hide DNS record' : 'Show DNS record'}
                  </button>{' '}
                  {confirm === k.id ? (
                    <ConfirmDelete what="key" name={`${k.selector}._domainkey.${k.domain}`} onYes={() => void remove(k.id)} onNo={() => setConfirm(undefined)} />
                  ) : (
                    <button type="button" className="danger-outline small" onClick={() => setConfirm(k.id)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {shown ? <DnsRecord k={shown} /> : null}
    </div>
  );
}

function DnsRecord({ k }: { k: DkimKey }) {
  const quoted = k.dnsStrings.map((s) => `"${s}"`).join(' ');
  const usage = JSON.stringify({ dkim: { keyId: k.id } }, null, 2);
  return (
    <section className="dns-record" aria-label={`DNS record for ${k.selector}._domainkey.${k.domain}`}>
      <h3>Publish this TXT record</h3>
      <div className="field">
        <label htmlFor="dns-name">Name</label>
        <div className="row">
          <input id="dns-name" className="mono" type="text" readOnly value={k.dnsName} onFocus={(e) => e.target.select()} />
          <CopyButton text={k.dnsName} label="Copy the record name" selectId="dns-name" />
        </div>
      </div>
      <div className="field">
        <label htmlFor="dns-value">Value</label>
        <div className="row">
          <textarea id="dns-value" className="mono" rows={4} readOnly value={k.dnsValue} onFocus={(e) => e.target.select()} />
          <CopyButton text={k.dnsValue} label="Copy the record value" selectId="dns-value" />
        </div>
      </div>
      {k.dnsStrings.length > 1 ? (
        <div className="field">
          <label htmlFor="dns-strings">As {k.dnsStrings.length} strings of at most 255 characters</label>
          <div className="row">
            <textarea id="dns-strings" className="mono" rows={4} readOnly value={quoted} onFocus={(e) => e.target.select()} aria-describedby="dns-strings-help" />
            <CopyButton text={quoted} label="Copy the record as quoted strings" selectId="dns-strings" />
          </div>
          <p className="help" id="dns-strings-help">
            For DNS hosts (and zone files) that want a long TXT value split into quoted strings.
          </p>
        </div>
      ) : null}
      <h3>Sign with it</h3>
      <p className="small">
        In an SMTP connector’s settings, set <code>dkim</code> to this key (Connectors → Change email connector → SMTP → DKIM):
      </p>
      <pre className="mail-text" tabIndex={0} role="region" aria-label="How to use this key">{usage}</pre>
    </section>
  );
}
