import { useState } from 'react';
import { api, type OutboxMessage, type OutboxState } from '../api.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { useLoad } from '../ui/useLoad.js';

const FILTERS: Array<{ value: OutboxState | ''; label: string }> = [
  { value: '', label: 'Waiting and failed' },
  { value: 'queued', label: 'Queued' },
  { value: 'sending', label: 'Sending' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'sent', label: 'Sent' },
];

/** Outbox: messages waiting to be delivered (SPEC §15); a queued one can be cancelled. */
export function OutboxPage() {
  const [status, setStatus] = useState<OutboxState | ''>('');
  const [pages, setPages] = useState<OutboxMessage[][]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<unknown>();
  const state = useLoad(async () => {
    const p = await api.outbox(status ? { status } : {});
    setPages([p.items]);
    setNext(p.nextCursor);
    return p;
  }, [status]);
  const items = pages.flat();

  const more = async () => {
    try {
      const p = await api.outbox({ ...(status ? { status } : {}), cursor: next });
      setPages((x) => [...x, p.items]);
      setNext(p.nextCursor);
    } catch (e) {
      setError(e);
    }
  };
  const cancel = async (m: OutboxMessage) => {
    setError(undefined);
    try {
      await api.cancelOutboxMessage(m.id);
      setMessage(`The message to ${m.to} was cancelled; its code no longer works.`);
      await state.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section>
      <h1>Outbox</h1>
      <p className="muted">
        Every email is written here with its code before it is sent. Messages sent after the answer (password reset,
        sign-in with sign-up off) are retried until their code expires; a crashed server's messages are taken over by
        another. Codes are never shown.
      </p>
      {message ? <Notice kind="success">{message}</Notice> : null}
      <ErrorBox error={state.error ?? error} />
      <div className="field inline">
        <label htmlFor="outbox-status">Show</label>
        <select id="outbox-status" value={status} onChange={(e) => setStatus(e.target.value as OutboxState | '')}>
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
      </div>
      {state.loading && !state.data ? <Loading what="the outbox" /> : null}
      {state.data && items.length === 0 ? <p className="card empty">Nothing here: no message is waiting.</p> : null}
      {items.length ? (
        <div className="table-wrap">
          <table className="logs" aria-label="Outbox messages">
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next attempt / expires</th>
                <th scope="col">Last error</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id}>
                  <td>{m.to}</td>
                  <td>{m.templateType}</td>
                  <td>
                    <span className={`badge state-${m.state}`}>{m.state}</span>
                  </td>
                  <td>{m.attempts}</td>
                  <td>
                    {m.nextAttemptAt ? formatDate(m.nextAttemptAt) : '—'} / {formatDate(m.notAfter)}
                  </td>
                  <td>{m.lastError ? <code title={m.lastError.message}>{m.lastError.code}</code> : '—'}</td>
                  <td>{formatDate(m.createdAt)}</td>
                  <td>
                    {m.state === 'queued' ? (
                      <button
                        type="button"
                        className="danger-outline small"
                        onClick={() => void cancel(m)}
                        aria-label={`Cancel the message to ${m.to}`}
                      >
                        Cancel
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {next ? (
        <button type="button" className="secondary" onClick={() => void more()}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
