import { useState, type FormEvent } from 'react';
import { api, type Invitation, type Organization } from '../api.js';
import { navigate } from '../router.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { Field, issueMap } from '../ui/Field.js';
import { Link } from '../ui/Link.js';
import { useLoad } from '../ui/useLoad.js';

/** `/organizations`: the list, and creating one. */
export function OrganizationsPage() {
  const orgs = useLoad(() => api.organizations(), []);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const org = await api.createOrganization(name.trim());
      navigate(`/organizations/${encodeURIComponent(org.id)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section>
      <h1>Organizations</h1>
      <p className="muted">Groups of users. Invite people by email; they join when they accept on the hosted invitation page.</p>
      <form className="card inline-form" onSubmit={(e) => void create(e)} noValidate aria-label="Create an organization">
        <Field id="org-name" label="New organization name" error={issueMap(error).name}>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          Create organization
        </button>
        <ErrorBox error={error} />
      </form>
      <ErrorBox error={orgs.error} />
      {orgs.loading && !orgs.data ? <Loading what="organizations" /> : null}
      {orgs.data ? (
        orgs.data.items.length === 0 ? (
          <p className="card empty">No organizations yet.</p>
        ) : (
          <ul className="card org-list" aria-label="Organizations">
            {orgs.data.items.map((o) => (
              <li key={o.id}>
                <Link to={`/organizations/${encodeURIComponent(o.id)}`}>{o.name}</Link> <span className="muted small">created {formatDate(o.createdAt)}</span>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}

/** `/organizations/:id`: members, invitations with resend and revoke, and inviting by email. */
export function OrganizationPage({ id }: { id: string }) {
  const orgs = useLoad(() => api.organizations(), []);
  const org: Organization | undefined = orgs.data?.items.find((o) => o.id === id);
  const members = useLoad(() => api.members(id), [id]);
  const invitations = useLoad(() => api.invitations(id), [id]);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();

  const act = async (fn: () => Promise<string>) => {
    setError(undefined);
    setNotice(null);
    try {
      setNotice(await fn());
      await invitations.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section>
      <p className="crumbs">
        <Link to="/organizations">Organizations</Link> /
      </p>
      <h1>{org?.name ?? (orgs.loading ? 'Organization' : id)}</h1>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ErrorBox error={error} title="That did not work." />
      <InviteForm orgId={id} onInvited={(inv) => void act(async () => `Invitation sent to ${inv.email}.`)} />

      <h2>Invitations</h2>
      <ErrorBox error={invitations.error} />
      {invitations.data ? (
        invitations.data.items.length === 0 ? (
          <p className="card empty">No invitations yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="logs" aria-label="Invitations">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Status</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Sent</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {invitations.data.items.map((inv: Invitation) => (
                  <tr key={inv.id}>
                    <td>{inv.email}</td>
                    <td>
                      <span className={`chip chip-invite-${inv.status}`}>{inv.status}</span>
                    </td>
                    <td className="nowrap">{formatDate(inv.expiresAt)}</td>
                    <td className="nowrap">{formatDate(inv.createdAt)}</td>
                    <td className="nowrap">
                      {inv.status === 'pending' ? (
                        <>
                          <button type="button" className="secondary small" aria-label={`Resend invitation to ${inv.email}`} onClick={() => void act(async () => `Invitation sent again to ${(await api.resendInvitation(inv.id)).email}; the earlier link no longer works.`)}>
                            Resend
                          </button>{' '}
                          <button type="button" className="danger-outline small" aria-label={`Revoke invitation to ${inv.email}`} onClick={() => void act(async () => (await api.revokeInvitation(inv.id), `Invitation to ${inv.email} revoked.`))}>
                            Revoke
                          </button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : (
        <Loading what="invitations" />
      )}

      <h2>Members</h2>
      <button type="button" className="secondary small" onClick={() => void members.reload()}>
        Refresh members
      </button>
      <ErrorBox error={members.error} />
      {members.data ? (
        members.data.items.length === 0 ? (
          <p className="card empty">No members yet.</p>
        ) : (
          <ul className="card org-list" aria-label="Members">
            {members.data.items.map((m) => (
              <li key={m.userId}>
                {m.email ?? m.userId} {m.name ? <span className="muted">({m.name})</span> : null} <span className="muted small">joined {formatDate(m.createdAt)}</span>
              </li>
            ))}
          </ul>
        )
      ) : (
        <Loading what="members" />
      )}
    </section>
  );
}

function InviteForm({ orgId, onInvited }: { orgId: string; onInvited(inv: Invitation): void }) {
  const [email, setEmail] = useState('');
  const [days, setDays] = useState('7');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const issues = issueMap(error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const d = Number(days);
      const inv = await api.invite(orgId, { email: email.trim(), ...(Number.isFinite(d) && d > 0 ? { expiresInSeconds: Math.round(d * 86400) } : {}) });
      setEmail('');
      onInvited(inv);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card inline-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Invite by email">
      <h2>Invite by email</h2>
      <Field id="invite-email" label="Email" error={issues.email}>
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
      </Field>
      <Field id="invite-days" label="Valid for (days)" error={issues.expiresInSeconds}>
        <input type="number" min={1} max={30} value={days} onChange={(e) => setDays(e.target.value)} />
      </Field>
      {/* A failed send leaves no invitation behind; the connector's error says why. */}
      <ErrorBox error={error} title="The invitation was not sent." />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Sending…' : 'Send invitation'}
      </button>
    </form>
  );
}
