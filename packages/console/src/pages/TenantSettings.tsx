import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError, tenantPrefix, type AdminKey, type Tenant, type TenantType } from '../api.js';
import { session } from '../session.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { useLoad } from '../ui/useLoad.js';
import { MigrateToProduction } from '../tenant/MigrateToProduction.js';

/** The tenant's id and type, migrating a development tenant to production and creating tenants (system key), and this tenant's admin keys. */
export function TenantSettingsPage({ tenants, onTenantsChanged }: { tenants: Tenant[] | undefined; onTenantsChanged(): void }) {
  const tenantId = session.tenantId();
  const system = session.isSystem();
  const tenant = tenants?.find((t) => t.id === tenantId);
  return (
    <section>
      <h1>Tenant settings</h1>
      <div className="card">
        <h2>This tenant</h2>
        <dl className="facts">
          <dt>ID</dt>
          <dd>
            <code>{tenantId}</code>
          </dd>
          <dt>Name</dt>
          <dd>{tenant?.name ?? '—'}</dd>
          <dt>Type</dt>
          <dd>{tenant ? <span className={`chip chip-${tenant.type}`}>{tenant.type}</span> : system ? '—' : 'Shown to system keys only'}</dd>
          <dt>API base</dt>
          <dd>
            <code>{tenantPrefix(tenantId)}/api/</code>
          </dd>
        </dl>
      </div>
      {system && tenants && tenant?.type === 'development' ? <MigrateToProduction tenants={tenants} /> : null}
      {system ? <CreateTenant onCreated={onTenantsChanged} /> : null}
      <AdminKeys tenantId={tenantId} />
    </section>
  );
}

function CreateTenant({ onCreated }: { onCreated(): void }) {
  const [form, setForm] = useState<{ id: string; name: string; type: TenantType }>({ id: '', name: '', type: 'development' });
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<Tenant>();
  const issues = error instanceof ApiError ? Object.fromEntries(error.issues.map((i) => [i.path.replace(/^body\./, ''), i.message])) : {};
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setCreated(undefined);
    try {
      const t = await api.createTenant({ id: form.id.trim(), name: form.name.trim(), type: form.type });
      setCreated(t);
      setForm({ id: '', name: '', type: 'development' });
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-tenant-h">
      <h2 id="new-tenant-h">Create a tenant</h2>
      <div className="grid-3">
        <div className={`field${issues.id ? ' invalid' : ''}`}>
          <label htmlFor="tenant-id">ID</label>
          <input id="tenant-id" type="text" spellCheck={false} value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} aria-describedby="tenant-id-help" aria-invalid={issues.id ? true : undefined} />
          <p className="help" id="tenant-id-help">
            Lower-case letters, digits and dashes; served under <code>/t/ID/</code>.
          </p>
          {issues.id ? <p className="field-error">{issues.id}</p> : null}
        </div>
        <div className={`field${issues.name ? ' invalid' : ''}`}>
          <label htmlFor="tenant-name">Name</label>
          <input id="tenant-name" type="text" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} aria-invalid={issues.name ? true : undefined} />
          {issues.name ? <p className="field-error">{issues.name}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="tenant-type">Type</label>
          <select id="tenant-type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value as TenantType })}>
            <option value="development">development</option>
            <option value="production">production</option>
          </select>
        </div>
      </div>
      {created ? <Notice kind="success">Tenant {created.id} created. Switch to it with the tenant selector at the top.</Notice> : null}
      <ErrorBox error={error} />
      <button type="submit" className="primary">
        Create tenant
      </button>
    </form>
  );
}

function AdminKeys({ tenantId }: { tenantId: string }) {
  const keys = useLoad(() => api.adminKeys().then((p) => p.items), [tenantId]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<AdminKey & { key: string }>();
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<string>();
  const [copied, setCopied] = useState(false);
  const keyRef = useRef<HTMLInputElement>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setCopied(false);
    try {
      setCreated(await api.createAdminKey(name.trim()));
      setName('');
      await keys.reload();
    } catch (err) {
      setError(err);
    }
  };
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      // No clipboard permission: select the text so the user can copy it themselves.
      keyRef.current?.select();
    }
  };
  const remove = async (id: string) => {
    setConfirm(undefined);
    try {
      await api.deleteAdminKey(id);
      await keys.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="card">
      <h2>Admin keys</h2>
      <p className="muted small">Keys created here work for this tenant only. The bootstrap key is a system key and is not listed.</p>
      <form className="inline-form" onSubmit={create} noValidate>
        <div className="field">
          <label htmlFor="key-name">New key name</label>
          <input id="key-name" type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. CI deploys" />
        </div>
        <button type="submit" className="primary">
          Create key
        </button>
      </form>
      {created ? (
        <div className="notice success" role="status">
          <p>
            <strong>Key “{created.name}” created.</strong> Copy it now: it is not shown again.
          </p>
          <div className="row">
            <label htmlFor="new-key" className="visually-hidden">
              New admin key
            </label>
            <input id="new-key" ref={keyRef} className="mono" type="text" readOnly value={created.key} onFocus={(e) => e.target.select()} />
            <button type="button" className="secondary" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" className="secondary" onClick={() => setCreated(undefined)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      <ErrorBox error={error ?? keys.error} />
      {keys.loading && !keys.data ? <Loading what="admin keys" /> : null}
      {keys.data?.length === 0 ? <p className="muted">No keys for this tenant yet.</p> : null}
      {keys.data?.length ? (
        <table className="keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{formatDate(k.createdAt)}</td>
                <td className="right">
                  {confirm === k.id ? (
                    <>
                      <button type="button" className="danger small" onClick={() => void remove(k.id)}>
                        Delete “{k.name}”
                      </button>{' '}
                      <button type="button" className="secondary small" onClick={() => setConfirm(undefined)}>
                        Cancel
                      </button>
                    </>
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
    </div>
  );
}
