import { useEffect, useState, type FormEvent } from 'react';
import { api, SUPPRESSION_REASONS, type Suppression } from '../api.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';

const REASON_LABELS: Record<Suppression['reason'], string> = {
  manual: 'Manual',
  hard_bounce: 'Hard bounce',
  complaint: 'Complaint',
};

/** The tenant's suppression list (`/api/suppressions`): search, add with a reason, remove. */
export function SuppressionsPage() {
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<Suppression[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [email, setEmail] = useState('');
  const [reason, setReason] = useState<Suppression['reason']>('manual');
  const [message, setMessage] = useState('');

  const load = async (q: string, after: string | null) => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await api.suppressions({ email: q.trim() || undefined, limit: 50, cursor: after });
      setRows((prev) => (after ? [...(prev ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load('', null);
  }, []);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const s = await api.addSuppression(email, reason);
      setMessage(`${s.email} gets no more mail.`);
      setEmail('');
      await load(search, null);
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (s: Suppression) => {
    setError(undefined);
    try {
      await api.removeSuppression(s.email);
      setMessage(`${s.email} gets mail again.`);
      await load(search, null);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section>
      <h1>Suppressions</h1>
      <p className="muted">
        Addresses that get no mail: hard bounces (for 30 days) and complaints reported by your provider, and addresses
        added here. Sends from the API to them answer <code>422 recipient.suppressed</code>; sign-in pages answer as
        usual and send nothing.
      </p>
      <form className="filters card" onSubmit={add} aria-label="Suppress an address">
        <div className="field">
          <label htmlFor="sup-email">Email address</label>
          <input
            id="sup-email"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            placeholder="user@example.com"
          />
        </div>
        <div className="field">
          <label htmlFor="sup-reason">Reason</label>
          <select id="sup-reason" value={reason} onChange={(e) => setReason(e.target.value as Suppression['reason'])}>
            {SUPPRESSION_REASONS.map((r) => (
              <option key={r} value={r}>
                {REASON_LABELS[r]}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-actions">
          <button type="submit" className="primary">
            Suppress
          </button>
        </div>
      </form>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void load(search, null);
        }}
      >
        <div className="field">
          <label htmlFor="sup-search">Search</label>
          <input
            id="sup-search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="part of an address"
          />
        </div>
        <div className="filter-actions">
          <button type="submit" className="secondary" disabled={busy}>
            Search
          </button>
        </div>
      </form>
      {message ? <Notice kind="success">{message}</Notice> : null}
      <ErrorBox error={error} />
      {rows === undefined ? (
        busy ? (
          <Loading what="suppressions" />
        ) : null
      ) : rows.length === 0 ? (
        <p className="card empty">{search ? 'No address matches.' : 'No address is suppressed.'}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Suppressed addresses, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Reason</th>
                <th scope="col">Source</th>
                <th scope="col">Since</th>
                <th scope="col">Until</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.email}>
                  <td>{s.email}</td>
                  <td>{REASON_LABELS[s.reason]}</td>
                  <td>{s.source}</td>
                  <td className="nowrap">{formatDate(s.createdAt)}</td>
                  <td className="nowrap">{s.expiresAt ? formatDate(s.expiresAt) : 'removed by hand'}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => void remove(s)}
                      aria-label={`Remove ${s.email}`}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor ? (
        <button type="button" className="secondary" disabled={busy} onClick={() => void load(search, cursor)}>
          {busy ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </section>
  );
}
