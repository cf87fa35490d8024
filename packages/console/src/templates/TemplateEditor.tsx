import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, TEMPLATE_TYPES, type EmailTemplate, type Preview, type TemplateContent, type TemplateType } from '../api.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { Field, issueMap } from '../ui/Field.js';
import { Link } from '../ui/Link.js';
import { useDebounced } from '../ui/useDebounced.js';
import { useLoad } from '../ui/useLoad.js';
import { TemplatePreview } from './TemplatePreview.js';
import { TYPE_LABELS, VARIABLES } from './words.js';

interface Form {
  subject: string;
  html: string;
  text: string;
  replyTo: string;
  senderName: string;
}

const toForm = (t: EmailTemplate): Form => ({ subject: t.subject, html: t.html, text: t.text ?? '', replyTo: t.replyTo ?? '', senderName: t.senderName ?? '' });
const toContent = (f: Form): TemplateContent => ({ subject: f.subject, html: f.html, text: f.text || null, replyTo: f.replyTo.trim() || null, senderName: f.senderName.trim() || null });

/** `422 template.invalid` (`details.field/line/column/reason`) and `400` issues, keyed by form field. */
function fieldErrors(error: unknown): Record<string, string> {
  const out = issueMap(error);
  if (error instanceof ApiError && error.code === 'template.invalid') {
    const { field, line, column, reason } = error.details;
    const where = typeof line === 'number' ? `Line ${line}${typeof column === 'number' ? `, column ${column}` : ''}: ` : '';
    if (typeof field === 'string') out[field] = `${where}${typeof reason === 'string' ? reason : error.message}`;
  }
  return out;
}

/** Edits one template (`/email-templates/:locale/:type`) beside its live preview. */
export function TemplateEditorPage({ locale, type }: { locale: string; type: string }) {
  const known = (TEMPLATE_TYPES as readonly string[]).includes(type) ? (type as TemplateType) : undefined;
  const state = useLoad(() => (known ? api.emailTemplates({ locale, templateType: known }).then((r) => r.items[0]) : Promise.resolve(undefined)), [locale, type]);
  if (!known) {
    return (
      <section>
        <h1>Unknown template type</h1>
        <p>
          There is no template type “{type}”. <Link to="/email-templates">Back to Email templates</Link>.
        </p>
      </section>
    );
  }
  const label = TYPE_LABELS[known];
  return (
    <section>
      <p className="crumbs">
        <Link to="/email-templates">Email templates</Link> › {label} › {locale}
      </p>
      <h1>
        {label} <span className="muted">({locale})</span>
      </h1>
      <ErrorBox error={state.error} />
      {state.data ? <Editor key={`${locale}/${type}`} initial={state.data} locale={locale} type={known} onChanged={(t) => state.setData(t)} /> : state.loading ? <Loading what="the template" /> : null}
    </section>
  );
}

function Editor({ initial, locale, type, onChanged }: { initial: EmailTemplate; locale: string; type: TemplateType; onChanged(t: EmailTemplate): void }) {
  const [form, setForm] = useState(() => toForm(initial));
  const [isDefault, setIsDefault] = useState(initial.isDefault);
  const [saveError, setSaveError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmRevert, setConfirmRevert] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  // Debounced as a string, so that equal drafts compare equal and re-renders do not re-fetch.
  const live = useDebounced(JSON.stringify({ subject: form.subject, html: form.html, text: form.text }), 350);
  const [preview, setPreview] = useState<Preview>();
  const [previewError, setPreviewError] = useState<unknown>();
  const [previewing, setPreviewing] = useState(false);

  useEffect(() => {
    let current = true;
    setPreviewing(true);
    api
      .preview({ locale, templateType: type, ...(JSON.parse(live) as { subject: string; html: string; text: string }) })
      .then((p) => current && (setPreview(p), setPreviewError(undefined)))
      .catch((e: unknown) => current && setPreviewError(e))
      .finally(() => current && setPreviewing(false));
    // A slower answer to an older draft must not replace the newer one.
    return () => {
      current = false;
    };
  }, [live, locale, type]);

  useEffect(() => {
    if (confirmRevert) cancelRef.current?.focus();
  }, [confirmRevert]);

  const set = (patch: Partial<Form>) => {
    setForm({ ...form, ...patch });
    setDone(undefined);
  };
  // A template error found while previewing shows at its field as well as after saving.
  const errs = { ...(previewError instanceof ApiError && previewError.code === 'template.invalid' ? fieldErrors(previewError) : {}), ...fieldErrors(saveError) };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setSaveError(undefined);
    try {
      const t = await api.saveTemplate(locale, type, toContent(form));
      setIsDefault(false);
      setForm(toForm(t));
      onChanged(t);
      setDone(`Saved. Messages of this type in ${locale} now use this template.`);
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };
  const revert = async () => {
    setConfirmRevert(false);
    setBusy(true);
    setSaveError(undefined);
    try {
      await api.revertTemplate(locale, type);
      const t = (await api.emailTemplates({ locale, templateType: type })).items[0];
      if (t) {
        setForm(toForm(t));
        setIsDefault(t.isDefault);
        onChanged(t);
      }
      setDone('Reverted to the default template.');
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="editor">
      <form onSubmit={save} noValidate className="card editor-form" aria-label="Template">
        <p className="small">
          Status: <span className={`chip ${isDefault ? 'chip-suppressed' : 'chip-captured'}`}>{isDefault ? 'Default' : 'Customised'}</span>
          {!isDefault && initial.updatedAt ? <span className="muted"> · saved {formatDate(initial.updatedAt)}</span> : null}
        </p>
        <Field id="tpl-subject" label="Subject" error={errs.subject} help="One line; variables allowed.">
          <input type="text" value={form.subject} onChange={(e) => set({ subject: e.target.value })} />
        </Field>
        <Field id="tpl-html" label="HTML" error={errs.html} help="Handlebars syntax: {{code}} is HTML-escaped; {{{…}}}, partials and unknown helpers are refused.">
          <textarea className="mono" rows={16} spellCheck={false} value={form.html} onChange={(e) => set({ html: e.target.value })} />
        </Field>
        <Field id="tpl-text" label="Text part (optional)" error={errs.text} help="Left empty, the text part is derived from the HTML.">
          <textarea className="mono" rows={6} spellCheck={false} value={form.text} onChange={(e) => set({ text: e.target.value })} />
        </Field>
        <div className="grid-2">
          <Field id="tpl-reply-to" label="Reply-To (optional)" error={errs.replyTo} help="Overrides the connector’s Reply-To.">
            <input type="email" value={form.replyTo} onChange={(e) => set({ replyTo: e.target.value })} />
          </Field>
          <Field id="tpl-sender-name" label="Sender name (optional)" error={errs.senderName} help="Overrides the connector’s From name.">
            <input type="text" value={form.senderName} onChange={(e) => set({ senderName: e.target.value })} />
          </Field>
        </div>
        <details className="group variables" open>
          <summary>Variables you can use</summary>
          <ul>
            {VARIABLES.map((v) => (
              <li key={v.name}>
                <code>{`{{${v.name}}}`}</code> <span className="muted">{v.what}</span>
              </li>
            ))}
          </ul>
        </details>
        {done ? <Notice kind="success">{done}</Notice> : null}
        <ErrorBox error={saveError} title="Not saved." />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          {confirmRevert ? (
            <span role="alertdialog" aria-labelledby="revert-q" className="confirm">
              <span id="revert-q">Discard this template and use the default?</span>{' '}
              <button type="button" className="danger small" onClick={() => void revert()}>
                Yes, revert
              </button>{' '}
              <button type="button" ref={cancelRef} className="secondary small" onClick={() => setConfirmRevert(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" className="danger-outline" disabled={busy || isDefault} onClick={() => setConfirmRevert(true)}>
              Revert to default
            </button>
          )}
        </div>
      </form>
      <TemplatePreview preview={preview} error={previewError} busy={previewing} title="Live preview" />
    </div>
  );
}
