import { useState } from 'react';
import { api, tenantPrefix, type UserSession } from '../api.js';
import { session } from '../session.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { CopyButton } from '../ui/CopyButton.js';
import { Link } from '../ui/Link.js';
import { useLoad } from '../ui/useLoad.js';

const AMR_WORDS: Record<string, string> = { pwd: 'password', otp: 'email code', mfa: 'with MFA', email: 'email' };

/** `/users/:id`: profile, sign-in methods, MFA, sessions (with sign-out), recent email, password reset. */
export function UserDetailPage({ id }: { id: string }) {
  const user = useLoad(() => api.user(id), [id]);
  const u = user.data;
  return (
    <section>
      <p className="crumbs">
        <Link to="/users">Users</Link> ›
      </p>
      <h1>{u ? (u.name ?? u.email ?? u.id) : 'User'}</h1>
      <ErrorBox error={user.error} />
      {user.loading && !u ? <Loading what="the user" /> : null}
      {u ? (
        <>
          <div className="card">
            <h2>Profile</h2>
            <dl className="facts">
              <dt>Email</dt>
              <dd className="break">
                {u.email ?? <span className="muted">none</span>} {u.email ? u.emailVerified ? <span className="chip chip-sent">verified</span> : <span className="badge">unverified</span> : null}
              </dd>
              <dt>Name</dt>
              <dd>{u.name ?? <span className="muted">—</span>}</dd>
              <dt>User id</dt>
              <dd>
                <code className="code break">{u.id}</code> <CopyButton text={u.id} label="Copy the user id" />
              </dd>
              <dt>Created</dt>
              <dd>{formatDate(u.createdAt)}</dd>
              <dt>Updated</dt>
              <dd>{formatDate(u.updatedAt)}</dd>
            </dl>
          </div>
          <div className="card">
            <h2>Sign-in methods</h2>
            <ul>
              <li>{u.hasPassword ? 'Password: set' : 'Password: none (signs in with email codes)'}</li>
              {u.email ? <li>Email code to {u.email}</li> : null}
              <li>
                Multi-factor authentication: {u.mfa.email ? <strong>email code after the first factor</strong> : 'off'}
                <span className="muted small"> (the user turns it on or off on the hosted account page)</span>
              </li>
            </ul>
            {u.email ? <PasswordReset userId={u.id} email={u.email} /> : null}
          </div>
          <Sessions userId={u.id} />
          {u.email ? <RecentEmail email={u.email} /> : null}
        </>
      ) : null}
    </section>
  );
}

/** Sends the user the ForgotPassword email (SPEC §8's message, with a link to the hosted reset page). */
function PasswordReset({ userId, email }: { userId: string; email: string }) {
  const url = `${window.location.origin}${tenantPrefix(session.tenantId())}/forgot-password`;
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<{ to: string; expiresAt: string }>();
  const [error, setError] = useState<unknown>();
  const send = async () => {
    setBusy(true);
    setError(undefined);
    setSent(undefined);
    try {
      setSent(await api.sendPasswordReset(userId));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="password-reset">
      <h3>Password reset</h3>
      <p className="small">
        Send {email} a reset email: a code and a link to the hosted reset page, where they choose a new password. Setting it ends every session.
      </p>
      <div className="actions">
        <button type="button" className="secondary" disabled={busy} onClick={() => void send()}>
          {busy ? 'Sending…' : 'Send password reset email'}
        </button>
      </div>
      {sent ? <Notice kind="success">Password reset email sent to {sent.to}. Its code works until {formatDate(sent.expiresAt)}.</Notice> : null}
      <ErrorBox error={error} title="The reset email was not sent." />
      <p className="small muted">
        Or share the reset page, where they ask for a code themselves:{' '}
        <a href={url} target="_blank" rel="noreferrer">
          {url}
        </a>{' '}
        <CopyButton text={url} label="Copy the password reset page address" />
      </p>
    </div>
  );
}

function describe(s: UserSession): string {
  const how = s.amr.map((m) => AMR_WORDS[m] ?? m).join(', ');
  return how ? `Signed in with ${how}` : 'Signed in';
}

function Sessions({ userId }: { userId: string }) {
  const list = useLoad(() => api.userSessions(userId), [userId]);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [confirm, setConfirm] = useState(false);
  const revokeOne = async (s: UserSession) => {
    setError(undefined);
    setDone(undefined);
    try {
      await api.revokeUserSession(userId, s.id);
      setDone('The session ended; its refresh token no longer works.');
      await list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const revokeAll = async () => {
    setError(undefined);
    setDone(undefined);
    setConfirm(false);
    try {
      const r = await api.revokeUserSessions(userId);
      setDone(r.revoked === 1 ? '1 session ended.' : `${r.revoked} sessions ended.`);
      await list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const items = list.data?.items;
  return (
    <div className="card">
      <h2>Sessions</h2>
      <ErrorBox error={list.error ?? error} />
      {done ? <Notice kind="success">{done}</Notice> : null}
      {items === undefined ? (
        <Loading what="sessions" />
      ) : items.length === 0 ? (
        <p className="muted">No active session.</p>
      ) : (
        <>
          <ul className="session-list" aria-label="Active sessions">
            {items.map((s) => (
              <li key={s.id}>
                {describe(s)} on {formatDate(s.createdAt)}; last active {formatDate(s.lastActiveAt)}; ends {formatDate(s.expiresAt)}.{' '}
                <button type="button" className="danger-outline small" aria-label={`End the session started ${formatDate(s.createdAt)}`} onClick={() => void revokeOne(s)}>
                  End
                </button>
              </li>
            ))}
          </ul>
          {confirm ? (
            <span role="alertdialog" aria-label="Sign out everywhere?" className="confirm">
              End every session of this user? Their apps ask them to sign in again.{' '}
              <button type="button" className="danger small" onClick={() => void revokeAll()} autoFocus>
                Yes, sign out everywhere
              </button>{' '}
              <button type="button" className="secondary small" onClick={() => setConfirm(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" className="danger-outline" onClick={() => setConfirm(true)}>
              Sign out everywhere
            </button>
          )}
        </>
      )}
    </div>
  );
}

function RecentEmail({ email }: { email: string }) {
  const logs = useLoad(() => api.emailLogs({ to: email, limit: 10 }), [email]);
  const items = logs.data?.items;
  return (
    <div className="card">
      <h2>Recent email</h2>
      <ErrorBox error={logs.error} />
      {items === undefined ? (
        <Loading what="email" />
      ) : items.length === 0 ? (
        <p className="muted">No email was sent to {email}.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Recent email to {email}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td className="nowrap">
                    <Link to={`/email-logs/${encodeURIComponent(r.id)}`}>{formatDate(r.createdAt)}</Link>
                  </td>
                  <td>{r.templateType}</td>
                  <td>
                    <span className={`chip chip-${r.status}`}>{r.status}</span>
                    {r.test ? (
                      <>
                        {' '}
                        <span className="chip chip-test">test</span>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
