import { useState, type FormEvent } from 'react';
import { api, TEMPLATE_TYPES } from '../api.js';
import { session } from '../session.js';
import { ErrorBox, Loading } from '../ui/Feedback.js';
import { Link } from '../ui/Link.js';
import { useLoad } from '../ui/useLoad.js';
import { TYPE_LABELS } from '../templates/words.js';

/** Languages typed in on this page, per tenant, kept while the tab lives so the editor round trip keeps the column. */
const addedLocales = new Map<string, string[]>();
const LOCALE_RE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** The template type × language matrix; each cell opens the editor. */
export function EmailTemplatesPage() {
  const tenantId = session.tenantId();
  const list = useLoad(() => api.emailTemplates().then((r) => r.items), [tenantId]);
  const [extra, setExtra] = useState<string[]>(() => addedLocales.get(tenantId) ?? []);
  const [newLocale, setNewLocale] = useState('');
  const [localeError, setLocaleError] = useState<string>();

  const items = list.data ?? [];
  const locales = [...new Set([...items.map((t) => t.locale), ...extra])];
  const cell = (locale: string, type: string) => items.find((t) => t.locale === locale && t.templateType === type);

  const add = (e: FormEvent) => {
    e.preventDefault();
    const l = newLocale.trim();
    if (!LOCALE_RE.test(l)) {
      setLocaleError('Type a language tag such as ko, de or pt-BR.');
      return;
    }
    setLocaleError(undefined);
    setNewLocale('');
    if (locales.some((x) => x.toLowerCase() === l.toLowerCase())) return;
    const next = [...extra, l];
    addedLocales.set(tenantId, next);
    setExtra(next);
  };

  return (
    <section>
      <h1>Email templates</h1>
      <p className="muted">
        The subject and content of every message, per type and language. “Default” cells use the shipped template; choose one to customise it. Templates apply to every connector except the built-in email service, which always uses its own designs.
      </p>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading what="the templates" /> : null}
      {list.data ? (
        <div className="table-wrap">
          <table className="matrix">
            <caption className="visually-hidden">Templates by type and language</caption>
            <thead>
              <tr>
                <th scope="col">Template</th>
                {locales.map((l) => (
                  <th scope="col" key={l}>
                    {l}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {TEMPLATE_TYPES.map((type) => (
                <tr key={type}>
                  <th scope="row">
                    {TYPE_LABELS[type]} <span className="muted small mono">{type}</span>
                  </th>
                  {locales.map((l) => {
                    const t = cell(l, type);
                    const custom = t ? !t.isDefault : false;
                    return (
                      <td key={l}>
                        <Link to={`/email-templates/${encodeURIComponent(l)}/${type}`} className={`cell-link${custom ? ' custom' : ''}`} aria-label={`${TYPE_LABELS[type]}, ${l}: ${custom ? 'Customised' : 'Default'}`}>
                          {custom ? 'Customised' : 'Default'}
                        </Link>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form className="card inline-form add-locale" onSubmit={add} noValidate>
        <div className={`field${localeError ? ' invalid' : ''}`}>
          <label htmlFor="new-locale">Add a language</label>
          <input id="new-locale" type="text" spellCheck={false} value={newLocale} onChange={(e) => setNewLocale(e.target.value)} placeholder="e.g. ko or pt-BR" aria-invalid={localeError ? true : undefined} aria-describedby={localeError ? 'new-locale-err' : 'new-locale-help'} />
          <p className="help" id="new-locale-help">
            A language without shipped templates starts from the English ones.
          </p>
          {localeError ? (
            <p className="field-error" id="new-locale-err">
              {localeError}
            </p>
          ) : null}
        </div>
        <button type="submit" className="secondary">
          Add language
        </button>
      </form>
    </section>
  );
}
