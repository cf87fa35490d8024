import { api, type EmailLog, type EmailLogMessage, type EmailLogWithMessage } from '../api.js';
import { ErrorBox, formatDate, Loading } from '../ui/Feedback.js';
import { CopyButton } from '../ui/CopyButton.js';
import { Link } from '../ui/Link.js';
import { useLoad } from '../ui/useLoad.js';
import { TemplatePreview } from '../templates/TemplatePreview.js';

/** How the server masks a code in what it logs (core/delivery/sender.ts CODE_MASK). */
const CODE_MASK = '••••••';

const OUTCOME_WORDS: Record<EmailLog['attemptLog'][number]['outcome'], string> = {
  sent: 'accepted by the provider',
  captured: 'captured into the mailbox',
  failed: 'failed',
  skipped: 'skipped (its circuit was open)',
};

/** `/email-logs/:id`: one send with each attempt, the provider's answer, later events and the message. */
export function EmailLogDetailPage({ id }: { id: string }) {
  const log = useLoad(() => api.emailLog(id), [id]);
  return (
    <section>
      <p className="crumbs">
        <Link to="/email-logs">Email logs</Link> ›
      </p>
      <h1>Email to {log.data?.to ?? '…'}</h1>
      <ErrorBox error={log.error} />
      {log.loading && !log.data ? <Loading what="the email log entry" /> : null}
      {log.data ? <Detail log={log.data} /> : null}
    </section>
  );
}

function Detail({ log }: { log: EmailLogWithMessage }) {
  return (
    <>
      <div className="card">
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <span className={`chip chip-${log.status}`}>{log.status}</span>
            {log.test ? (
              <>
                {' '}
                <span className="chip chip-test">test send</span>
              </>
            ) : null}
            {log.deliveryStatus ? (
              <>
                {' '}
                <span className={`chip chip-${log.deliveryStatus}`}>{log.deliveryStatus}</span>
              </>
            ) : null}
          </dd>
          <dt>Time</dt>
          <dd>{formatDate(log.createdAt)}</dd>
          <dt>To</dt>
          <dd className="break">{log.to}</dd>
          <dt>Type</dt>
          <dd>{log.templateType}</dd>
          <dt>Subject</dt>
          <dd>{log.subject}</dd>
          <dt>Connector</dt>
          <dd>{log.factoryId}</dd>
          <dt>Provider message id</dt>
          <dd>
            {log.providerMessageId ? (
              <>
                <code className="code break">{log.providerMessageId}</code> <CopyButton text={log.providerMessageId} label="Copy the provider message id" />
              </>
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
          <dt>Duration</dt>
          <dd>{Math.round(log.durationMs)} ms</dd>
          <dt>Entry id</dt>
          <dd>
            <code className="code break">{log.id}</code>
          </dd>
        </dl>
        {log.error ? (
          <div className="notice error" data-code={log.error.code}>
            <strong>The provider answered:</strong> {log.error.message} <code className="code">{log.error.code}</code>
          </div>
        ) : null}
      </div>

      <h2>Attempts</h2>
      {log.attemptLog.length === 0 ? (
        <p className="card muted">
          {log.attempts === 1 ? '1 attempt' : `${log.attempts} attempts`} through {log.factoryId}
          {log.status === 'suppressed' ? '; none was made, the address is on the suppression list.' : '.'}
        </p>
      ) : (
        <ol className="card attempt-list" aria-label="Attempts">
          {log.attemptLog.map((a, i) => (
            <li key={i}>
              <strong>{a.role === 'primary' ? 'Primary' : 'Fallback'} connector</strong> <code className="code">{a.factoryId}</code>, {formatDate(a.at)}: {OUTCOME_WORDS[a.outcome]}
              {a.attempts ? ` after ${a.attempts === 1 ? '1 try' : `${a.attempts} tries`}` : ''}
              {a.error ? (
                <p className="row-error">
                  <code className="code">{a.error.code}</code> {a.error.message}
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      )}

      <h2>Later events</h2>
      {log.events.length === 0 ? (
        <p className="card muted">No event from the provider yet (delivered, delayed, bounced or complained appear here once its webhook reports them).</p>
      ) : (
        <ol className="card event-timeline" aria-label="Provider events">
          {log.events.map((e, i) => (
            <li key={i}>
              {formatDate(e.at)} <strong>{e.type}</strong>
              {e.detail.bounceType ? ` (${e.detail.bounceType} bounce)` : ''}
              {e.detail.message ? <span className="muted"> {e.detail.message}</span> : null}
            </li>
          ))}
        </ol>
      )}

      <Message message={log.message} />
    </>
  );
}

/**
 * The message, rendered again by the server from the tenant's template with the code masked:
 * the log keeps the subject (masked), never the body or the code.
 */
function Message({ message }: { message: EmailLogMessage | null }) {
  return (
    <>
      <h2>The message</h2>
      {message ? (
        <>
          <p className="muted small">
            Rendered from the tenant’s current <code className="code">{message.locale}</code> template with the code masked ({CODE_MASK}).
            {message.exact ? '' : ' No language gives the subject that was sent: the template changed since, so the wording below may differ.'}
          </p>
          <TemplatePreview preview={{ ...message, warnings: [] }} lint={false} title="As sent" />
        </>
      ) : (
        <p className="card muted">No message was sent: the address is on the suppression list.</p>
      )}
    </>
  );
}
