import { useEffect, useState, type FormEvent } from 'react';
import { api, type User } from '../api.js';
import { Link } from '../ui/Link.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { Field, issueMap } from '../ui/Field.js';

const PAGE = 50;

/** The tenant's accounts (`/api/users`): search, paging, create, rename, delete with confirmation. */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [rows, setRows] = useState<User[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = async (q: string, after: string | null) => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await api.users({ search: q.trim(), limit: PAGE, cursor: after });
      setRows((prev) => (after ? [...(prev ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
      setApplied(q.trim());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load('', null);
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void load(search, null);
  };
  const replace = (u: User) => setRows((prev) => prev?.map((r) => (r.id === u.id ? u : r)));
  const remove = (id: string) => setRows((prev) => prev?.filter((r) => r.id !== id));

  return (
    <section>
      <h1>Users</h1>
      <p className="muted">The accounts of this tenant. People sign up on the hosted pages; you can also create accounts here.</p>
      <CreateUser
        onCreated={(u) => {
          setNotice(`User ${u.email ?? u.id} created.`);
          void load(applied, null);
        }}
      />
      <form className="filters card" onSubmit={submit} role="search" aria-label="Search users">
        <div className="field">
          <label htmlFor="user-search">Search</label>
          <input id="user-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Email or name" />
        </div>
        <div className="filter-actions">
          <button type="submit" className="primary" disabled={busy}>
            Search
          </button>
        </div>
      </form>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ErrorBox error={error} />
      {rows === undefined ? busy ? <Loading what="users" /> : null : rows.length === 0 ? (
        <p className="card empty">{applied ? `No user matches “${applied}”.` : 'No users yet.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="logs">
            <caption className="visually-hidden">Users, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Sign-in</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <UserRow key={u.id} user={u} onChanged={replace} onDeleted={(id) => { remove(id); setNotice(`User ${u.email ?? u.id} deleted.`); }} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor ? (
        <button type="button" className="secondary" disabled={busy} onClick={() => void load(applied, cursor)}>
          {busy ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </section>
  );
}

function CreateUser({ onCreated }: { onCreated(u: User): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const issues = issueMap(error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const u = await api.createUser({ email: email.trim(), ...(password ? { password } : {}), ...(name.trim() ? { name: name.trim() } : {}) });
      setEmail('');
      setPassword('');
      setName('');
      onCreated(u);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="card">
      <summary>Create a user</summary>
      <form onSubmit={(e) => void submit(e)} noValidate className="stack-form">
        <Field id="new-user-email" label="Email" error={issues.email}>
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
        </Field>
        <Field id="new-user-name" label="Name (optional)" error={issues.name}>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field id="new-user-password" label="Password (optional)" help="Without one, the user signs in with email codes." error={issues.password}>
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </Field>
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>
          Create user
        </button>
      </form>
    </details>
  );
}

function UserRow({ user, onChanged, onDeleted }: { user: User; onChanged(u: User): void; onDeleted(id: string): void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(user.name ?? '');
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<unknown>();
  const who = user.email ?? user.id;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      onChanged(await api.patchUser(user.id, { name: name.trim() ? name.trim() : null }));
      setEditing(false);
    } catch (err) {
      setError(err);
    }
  };
  const del = async () => {
    setError(undefined);
    try {
      await api.deleteUser(user.id);
      onDeleted(user.id);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <tr>
      <td>
        <Link to={`/users/${encodeURIComponent(user.id)}`}>
          {who}
        </Link>{' '}
        {user.email && !user.emailVerified ? <span className="badge">unverified</span> : null}
      </td>
      <td>
        {editing ? (
          <form onSubmit={(e) => void save(e)} className="row-form">
            <label htmlFor={`name-${user.id}`} className="visually-hidden">
              Name of {who}
            </label>
            <input id={`name-${user.id}`} type="text" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
            <button type="submit" className="primary small">
              Save
            </button>
            <button type="button" className="secondary small" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
        ) : (
          (user.name ?? <span className="muted">—</span>)
        )}
        <ErrorBox error={error} />
      </td>
      <td>
        {user.hasPassword ? 'password' : 'codes only'}
        {user.mfa.email ? ' · MFA' : ''}
      </td>
      <td className="nowrap">{formatDate(user.createdAt)}</td>
      <td className="nowrap">
        {confirm ? (
          <span role="alertdialog" aria-label={`Delete ${who}?`} className="confirm">
            Delete {who} and end their sessions?{' '}
            <button type="button" className="danger small" onClick={() => void del()} autoFocus>
              Yes, delete
            </button>{' '}
            <button type="button" className="secondary small" onClick={() => setConfirm(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <>
            <button type="button" className="secondary small" aria-label={`Edit name of ${who}`} onClick={() => { setName(user.name ?? ''); setEditing(true); }}>
              Edit name
            </button>{' '}
            <button type="button" className="danger-outline small" aria-label={`Delete ${who}`} onClick={() => setConfirm(true)}>
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
