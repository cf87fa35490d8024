import type { Preview } from '../api.js';
import { ErrorBox } from '../ui/Feedback.js';
import { FIELD_LABELS, WARNING_LABELS } from './words.js';

/**
 * A rendered message: subject, the HTML in a sandboxed iframe (no scripts, no same-origin
 * access, so template HTML can never reach the console), the text part and the lint warnings.
 */
export function TemplatePreview({ preview, error, busy, title = 'Preview', lint = true }: { preview: Preview | undefined; error?: unknown; busy?: boolean; title?: string; lint?: boolean }) {
  return (
    <div className="preview card" aria-busy={busy || undefined}>
      <h2>
        {title} {busy ? <span className="muted small">updating…</span> : null}
      </h2>
      <ErrorBox error={error} title="The preview could not be rendered." />
      {preview ? (
        <>
          {!lint ? null : preview.warnings.length ? (
            <div className="notice warning lint" role="status">
              <strong>{preview.warnings.length === 1 ? '1 warning' : `${preview.warnings.length} warnings`}</strong>
              <ul>
                {preview.warnings.map((w, i) => (
                  <li key={i}>
                    <strong>{WARNING_LABELS[w.code] ?? w.code}</strong>
                    {w.field ? ` (${FIELD_LABELS[w.field] ?? w.field})` : ''}: {w.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="muted small lint-ok">No warnings.</p>
          )}
          <dl className="facts">
            <dt>Subject</dt>
            <dd className="preview-subject">{preview.subject}</dd>
          </dl>
          <iframe className="mail-html" title={`Preview of “${preview.subject}”`} sandbox="" srcDoc={preview.html} />
          <h3>Text part</h3>
          <pre className="mail-text preview-text" tabIndex={0} role="region" aria-label="Text part">{preview.text}</pre>
        </>
      ) : null}
    </div>
  );
}
