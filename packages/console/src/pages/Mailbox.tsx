import { useEffect, useState } from 'react';
import { api, type MailboxMessage, type MailboxSummary } from '../api.js';
import { ErrorBox, formatDate, Loading } from '../ui/Feedback.js';

/**
 * Mail captured by the built-in service. A message's HTML is shown in an iframe with an
 * empty `sandbox` (no scripts, no same-origin, no forms), through `srcdoc`.
 */
export function MailboxPage() {
  const [items, setItems] = useState<MailboxSummary[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [selected, setSelected] = useState<MailboxMessage | undefined>();
  const [error, setError] = useState<unknown>();
  const [confirmClear, setConfirmClear] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = async (after: string | null = null) => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await api.mailbox(after);
      setItems((prev) => (after ? [...(prev ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const open = async (id: string) => {
    setError(undefined);
    try {
      setSelected(await api.mailboxMessage(id));
    } catch (e) {
      setError(e);
    }
  };
  const clear = async () => {
    setConfirmClear(false);
    try {
      await api.clearMailbox();
      setSelected(undefined);
      await load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section>
      <h1>Mailbox</h1>
      <p className="muted">Mail captured by the built-in email service when no relay is configured. Nothing here left this server.</p>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void load()} disabled={busy}>
          Refresh
        </button>
        {confirmClear ? (
          <>
            <button type="button" className="danger" onClick={() => void clear()}>
              Yes, delete every message
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmClear(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" className="danger-outline" onClick={() => setConfirmClear(true)} disabled={!items?.length}>
            Empty mailbox
          </button>
        )}
      </div>
      <ErrorBox error={error} />
      {items === undefined ? busy ? <Loading what="the mailbox" /> : null : items.length === 0 ? (
        <p className="card empty">The mailbox is empty.</p>
      ) : (
        <div className="mailbox">
          <div className="mail-list">
            <ul aria-label="Messages">
              {items.map((m) => (
                <li key={m.id}>
                  <button type="button" className={`mail-item${selected?.id === m.id ? ' selected' : ''}`} aria-pressed={selected?.id === m.id} onClick={() => void open(m.id)}>
                    <span className="mail-subject">{m.subject}</span>
                    <span className="mail-meta">
                      To {m.to} · {formatDate(m.createdAt)}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
            {cursor ? (
              <button type="button" className="secondary small" onClick={() => void load(cursor)} disabled={busy}>
                Load more
              </button>
            ) : null}
          </div>
          <div className="mail-view card">
            {selected ? (
              <article aria-label="Selected message">
                <h2>{selected.subject}</h2>
                <dl className="facts">
                  <dt>From</dt>
                  <dd>{selected.from}</dd>
                  <dt>To</dt>
                  <dd>{selected.to}</dd>
                  <dt>Received</dt>
                  <dd>{formatDate(selected.createdAt)}</dd>
                </dl>
                <h3>HTML</h3>
                <iframe className="mail-html" title={`HTML of “${selected.subject}”`} sandbox="" srcDoc={selected.html} />
                <h3>Text</h3>
                <pre className="mail-text" tabIndex={0} role="region" aria-label="Text part">{selected.text}</pre>
              </article>
            ) : (
              <p className="muted">Choose a message to read it.</p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
