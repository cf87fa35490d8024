import { useState, type FormEvent } from 'react';
import { api, tenantPrefix, type AdminKey, type Tenant, type TenantType } from '../api.js';
import { session } from '../session.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { useLoad } from '../ui/useLoad.js';
import { SecretValue } from '../ui/SecretValue.js';
import { CopyButton } from '../ui/CopyButton.js';
import { issueMap } from '../ui/Field.js';
import { MigrateToProduction } from '../tenant/MigrateToProduction.js';
import { ExportImport } from '../tenant/ExportImport.js';

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
          <dd className="with-copy">
            <code>{`${window.location.origin}${tenantPrefix(tenantId)}/api/`}</code> <CopyButton text={`${window.location.origin}${tenantPrefix(tenantId)}/api/`} label="Copy the API base URL" />
          </dd>
        </dl>
      </div>
      <ExportImport />
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
  const issues = issueMap(error);
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
  const [shown, setShown] = useState<{ key: AdminKey & { key: string }; how: 'created' | 'rotated'; self: boolean }>();
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<{ id: string; action: 'delete' | 'rotate' }>();

  const show = (key: AdminKey & { key: string }, how: 'created' | 'rotated', self = false) => {
    setShown({ key, how, self });
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      show(await api.createAdminKey(name.trim()), 'created');
      setName('');
      await keys.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (id: string) => {
    setConfirm(undefined);
    setError(undefined);
    try {
      await api.deleteAdminKey(id);
      await keys.reload();
    } catch (err) {
      setError(err);
    }
  };
  const rotate = async (k: AdminKey) => {
    setConfirm(undefined);
    setError(undefined);
    try {
      const next = await api.rotateAdminKey(k.id);
      // The console's own key was replaced: keep working with the new one.
      if (k.current) session.signIn(next.key, session.tenantId(), session.isSystem());
      show(next, 'rotated', k.current);
      await keys.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="card">
      <h2>Admin keys</h2>
      <p className="muted small">
        Keys created here work for this tenant only. Signed in with a system key, you also see the system keys (every tenant), including the one generated at the first start; the last
        system key can be rotated but not deleted. A key set with POSTERN_ADMIN_KEY is not stored and not listed.
      </p>
      <form className="inline-form" onSubmit={create} noValidate>
        <div className="field">
          <label htmlFor="key-name">New key name</label>
          <input id="key-name" type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. CI deploys" />
        </div>
        <button type="submit" className="primary">
          Create key
        </button>
      </form>
      {shown ? (
        <div className="notice success" role="status">
          <p>
            <strong>
              Key “{shown.key.name}” {shown.how}.
            </strong>{' '}
            Copy it now: it is not shown again.{shown.how === 'rotated' ? ' The old key no longer works.' : ''}
            {shown.self ? ' This console now uses the new key.' : ''}
          </p>
          <div className="row">
            <SecretValue id="new-key" label="New admin key" value={shown.key.key} />
            <button type="button" className="secondary" onClick={() => setShown(undefined)}>
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
              <th scope="col">Scope</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <td>
                  {k.name}
                  {k.current ? <span className="muted small"> (this console’s key)</span> : null}
                </td>
                <td>{k.system ? <span className="chip">system</span> : 'this tenant'}</td>
                <td>{formatDate(k.createdAt)}</td>
                <td className="right">
                  {confirm?.id === k.id ? (
                    <>
                      <button type="button" className={confirm.action === 'delete' ? 'danger small' : 'primary small'} onClick={() => void (confirm.action === 'delete' ? remove(k.id) : rotate(k))}>
                        {confirm.action === 'delete' ? `Delete “${k.name}”` : `Rotate “${k.name}”`}
                      </button>{' '}
                      <button type="button" className="secondary small" onClick={() => setConfirm(undefined)}>
                        Cancel
                      </button>
                    </>
                  ) : (
                    <>
                      <button type="button" className="secondary small" onClick={() => setConfirm({ id: k.id, action: 'rotate' })}>
                        Rotate
                      </button>{' '}
                      <button type="button" className="danger-outline small" onClick={() => setConfirm({ id: k.id, action: 'delete' })}>
                        Delete
                      </button>
                    </>
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
