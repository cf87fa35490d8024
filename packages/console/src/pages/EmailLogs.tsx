import { useEffect, useState, type FormEvent } from 'react';
import { api, EMAIL_STATUSES, TEMPLATE_TYPES, type EmailLog, type EmailStatus, type TemplateType } from '../api.js';
import { ErrorBox, formatDate, Loading } from '../ui/Feedback.js';
import { Link } from '../ui/Link.js';

interface Filters {
  status: EmailStatus | '';
  templateType: TemplateType | '';
  search: string;
}

const EMPTY: Filters = { status: '', templateType: '', search: '' };

/** Every send (`GET /api/email-logs`), newest first, with filters and "Load more". */
export function EmailLogsPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [rows, setRows] = useState<EmailLog[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const load = async (filters: Filters, after: string | null) => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await api.emailLogs({ ...filters, search: filters.search.trim(), limit: 50, cursor: after });
      setRows((prev) => (after ? [...(prev ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
      setApplied(filters);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load(EMPTY, null);
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void load(draft, null);
  };

  return (
    <section>
      <h1>Email logs</h1>
      <form className="filters card" onSubmit={submit} aria-label="Filter email logs">
        <div className="field">
          <label htmlFor="log-status">Status</label>
          <select id="log-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value as Filters['status'] })}>
            <option value="">Any</option>
            {EMAIL_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-type">Template type</label>
          <select id="log-type" value={draft.templateType} onChange={(e) => setDraft({ ...draft, templateType: e.target.value as Filters['templateType'] })}>
            <option value="">Any</option>
            {TEMPLATE_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-to">Recipient</label>
          <input id="log-to" type="search" value={draft.search} onChange={(e) => setDraft({ ...draft, search: e.target.value })} placeholder="part of an address" aria-describedby="log-to-hint" />
          <p className="help" id="log-to-hint">
            Any part of the address, in any case.
          </p>
        </div>
        <div className="filter-actions">
          <button type="submit" className="primary" disabled={busy}>
            Apply filters
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => { setDraft(EMPTY); void load(EMPTY, null); }}>
            Reset
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {rows === undefined ? busy ? <Loading what="email logs" /> : null : rows.length === 0 ? (
        <p className="card empty">{applied === EMPTY ? 'No email has been sent yet.' : 'No email matches these filters.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="logs">
            <caption className="visually-hidden">Email logs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Status</th>
                <th scope="col">Delivery</th>
                <th scope="col">To</th>
                <th scope="col">Type</th>
                <th scope="col">Subject</th>
                <th scope="col">Connector</th>
                <th scope="col" className="num">Attempts</th>
                <th scope="col" className="num">Duration</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className={`status-row-${r.status}`}>
                  <td className="nowrap">
                    <Link to={`/email-logs/${encodeURIComponent(r.id)}`} aria-label={`Details of the email to ${r.to} at ${formatDate(r.createdAt)}`}>
                      {formatDate(r.createdAt)}
                    </Link>
                  </td>
                  <td>
                    <span className={`chip chip-${r.status}`}>{r.status}</span>
                    {r.test ? (
                      <>
                        {' '}
                        <span className="chip chip-test">test</span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    {r.deliveryStatus ? <span className={`chip chip-${r.deliveryStatus}`}>{r.deliveryStatus}</span> : <span className="muted">—</span>}
                    {r.events?.length ? (
                      <ol className="event-timeline small" aria-label="Provider events">
                        {r.events.map((e, i) => (
                          <li key={i}>
                            {formatDate(e.at)} {e.type}
                            {e.detail.bounceType ? ` (${e.detail.bounceType})` : ''}
                            {e.detail.message ? <span className="muted"> {e.detail.message}</span> : null}
                          </li>
                        ))}
                      </ol>
                    ) : null}
                  </td>
                  <td className="break">{r.to}</td>
                  <td>{r.templateType}</td>
                  <td>
                    {r.subject}
                    {r.error ? (
                      <p className="row-error">
                        <code className="code">{r.error.code}</code> {r.error.message}
                      </p>
                    ) : null}
                  </td>
                  <td>{r.factoryId}</td>
                  <td className="num">{r.attempts}</td>
                  <td className="num nowrap">{Math.round(r.durationMs)} ms</td>
                </tr>
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
