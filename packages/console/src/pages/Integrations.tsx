import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { CopyButton } from '../ui/CopyButton.js';
import { ErrorBox, formatDate, Loading } from '../ui/Feedback.js';

type Kind = 'supabase' | 'logto' | 'kratos';
interface Integration {
  id: string;
  kind: Kind;
  name: string;
  url: string;
  supabaseUrl: string | null;
  createdAt: string;
}

const LABEL: Record<Kind, string> = {
  supabase: 'Supabase Auth (Send Email Hook)',
  logto: 'Logto (HTTP email connector)',
  kratos: 'Ory Kratos (courier HTTP)',
};
const DOC: Record<Kind, string> = {
  supabase: 'docs/integrations/supabase.md',
  logto: 'docs/integrations/logto.md',
  kratos: 'docs/integrations/kratos.md',
};
const SECRET_HINT: Record<Kind, string> = {
  supabase: 'Paste the whole secret (v1,whsec_…) as the hook secret.',
  logto: 'Set the connector\u2019s Authorization to "Bearer " followed by the secret.',
  kratos:
    'Use basic auth with the user "postern" and the secret as password, and the body base64://ZnVuY3Rpb24oY3R4KSBjdHg= (function(ctx) ctx).',
};

/** Hooks for auth systems that keep their users (SPEC §18): the URL and the secret to paste. */
export function IntegrationsPage() {
  const [items, setItems] = useState<Integration[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [kind, setKind] = useState<Kind>('supabase');
  const [name, setName] = useState('');
  const [supabaseUrl, setSupabaseUrl] = useState('');
  const [created, setCreated] = useState<(Integration & { secret: string }) | undefined>();
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      setItems((await api.integrations()).items as Integration[]);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.createIntegration({
        kind,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(kind === 'supabase' && supabaseUrl.trim() ? { supabaseUrl: supabaseUrl.trim() } : {}),
      });
      setCreated(r as Integration & { secret: string });
      setName('');
      setSupabaseUrl('');
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: string) => {
    setError(undefined);
    try {
      await api.deleteIntegration(id);
      if (created?.id === id) setCreated(undefined);
      await load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section>
      <h1>Integrations</h1>
      <p className="muted">
        Let Supabase Auth, Logto or Ory Kratos send their mail through this tenant: Postern renders its own templates
        for their messages and sends them through the tenant&rsquo;s connector.
      </p>
      {error !== undefined && <ErrorBox error={error} />}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <label>
          System
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {(Object.keys(LABEL) as Kind[]).map((k) => (
              <option key={k} value={k}>
                {LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name (optional)
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </label>
        {kind === 'supabase' && (
          <label>
            Supabase project URL (for the confirmation links)
            <input
              value={supabaseUrl}
              onChange={(e) => setSupabaseUrl(e.target.value)}
              placeholder="https://abcd.supabase.co"
            />
          </label>
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            Create
          </button>
        </div>
      </form>
      {created && (
        <div className="notice" role="status">
          <h2>{LABEL[created.kind]}</h2>
          <p>The secret is shown only now. {SECRET_HINT[created.kind]}</p>
          <label>
            URL
            <input id="integration-url" readOnly value={created.url} />
          </label>
          <CopyButton text={created.url} label="Copy the URL" selectId="integration-url" />
          <label>
            Secret
            <input id="integration-secret" readOnly value={created.secret} />
          </label>
          <CopyButton text={created.secret} label="Copy the secret" selectId="integration-secret" />
          <p className="muted">Step by step: {DOC[created.kind]}</p>
        </div>
      )}
      {items === undefined ? (
        <Loading what="integrations" />
      ) : items.length === 0 ? (
        <p className="muted">No integrations yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>System</th>
              <th>URL</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id}>
                <td>{i.name}</td>
                <td>{LABEL[i.kind]}</td>
                <td>
                  <code>{i.url}</code> <CopyButton text={i.url} label={`Copy the URL of ${i.name}`} />
                </td>
                <td>{formatDate(i.createdAt)}</td>
                <td>
                  <button type="button" className="danger small" onClick={() => void remove(i.id)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
