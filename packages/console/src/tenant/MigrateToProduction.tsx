import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, type ConfigBundle, type ImportResult, type Tenant } from '../api.js';
import { session } from '../session.js';
import { ErrorBox, Notice } from '../ui/Feedback.js';

const ACTION_WORDS = { add: 'add', update: 'update', remove: 'remove' } as const;

/** Secret names the target asks for: `400 request.invalid` with issues at `secrets.<name>`. */
function missingSecrets(e: unknown): string[] {
  if (!(e instanceof ApiError) || e.code !== 'request.invalid') return [];
  return e.issues.filter((i) => i.path.startsWith('secrets.')).map((i) => i.path.slice('secrets.'.length));
}

/**
 * "Migrate to production" (SPEC §13): export this development tenant, dry-run the import
 * into a production tenant to preview the changes, ask for any secret the export left
 * out, then apply. Needs a system key, which may act on both tenants.
 */
export function MigrateToProduction({ tenants }: { tenants: Tenant[] }) {
  const source = session.tenantId();
  const targets = tenants.filter((t) => t.type === 'production' && t.id !== source);
  const [target, setTarget] = useState(targets[0]?.id ?? '');
  const [bundle, setBundle] = useState<ConfigBundle>();
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [asked, setAsked] = useState<string[]>([]);
  const [preview, setPreview] = useState<ImportResult>();
  const [applied, setApplied] = useState<ImportResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const firstSecret = useRef<HTMLInputElement>(null);

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(undefined);
    if (dryRun) setApplied(undefined);
    try {
      const key = session.key() ?? '';
      const b = bundle ?? (await api.exportConfig({ key, tenantId: source }));
      setBundle(b);
      const given = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== ''));
      const res = await api.importConfig({ key, tenantId: target }, { bundle: b, dryRun, ...(Object.keys(given).length ? { secrets: given } : {}) });
      if (dryRun) setPreview(res);
      else {
        setApplied(res);
        setPreview(undefined);
        setBundle(undefined);
        setSecrets({});
        setAsked([]);
      }
    } catch (err) {
      const missing = missingSecrets(err);
      if (missing.length) {
        setAsked([...new Set([...asked, ...missing])]);
        setPreview(undefined);
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const previewSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run(true);
  };
  const reset = () => {
    setBundle(undefined);
    setPreview(undefined);
    setApplied(undefined);
    setError(undefined);
    setAsked([]);
    setSecrets({});
  };
  const missingNow = missingSecrets(error);
  // When the target asks for a secret, take the user to its field.
  useEffect(() => {
    if (missingNow.length) firstSecret.current?.focus();
  }, [missingNow.join(',')]);

  return (
    <div className="card">
      <h2 id="migrate-h">Migrate to production</h2>
      <p className="muted small">
        Copies this tenant’s settings (email connector, templates, branding, sign-in experience, code policy) to a production tenant, which ends up with exactly these settings. Test addresses stay behind. You see every change before anything is applied.
      </p>
      {targets.length === 0 ? (
        <p>There is no production tenant to migrate to. Create one above.</p>
      ) : (
        <form onSubmit={previewSubmit} noValidate aria-labelledby="migrate-h">
          <div className="field narrow">
            <label htmlFor="migrate-target">Production tenant</label>
            <select id="migrate-target" value={target} onChange={(e) => { setTarget(e.target.value); reset(); }}>
              {targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name === t.id ? t.id : `${t.name} (${t.id})`}
                </option>
              ))}
            </select>
          </div>
          {asked.length ? (
            <fieldset className="group">
              <legend>Secrets the export leaves out</legend>
              <p className="help">The target cannot keep its own value for these (its connector is a different one). They are sent once, with the import.</p>
              {asked.map((name, n) => (
                <div className={`field narrow${missingNow.includes(name) ? ' invalid' : ''}`} key={name}>
                  <label htmlFor={`secret-${name}`}>
                    Connector secret <code>{name}</code>
                  </label>
                  <input id={`secret-${name}`} ref={n === 0 ? firstSecret : undefined} type="password" autoComplete="off" value={secrets[name] ?? ''} onChange={(e) => setSecrets({ ...secrets, [name]: e.target.value })} aria-invalid={missingNow.includes(name) || undefined} />
                </div>
              ))}
            </fieldset>
          ) : null}
          <ErrorBox error={missingNow.length ? undefined : error} title="The migration stopped." />
          {missingNow.length ? <Notice kind="warning">Enter the connector secret{missingNow.length > 1 ? 's' : ''} above, then preview again.</Notice> : null}
          <div className="actions">
            <button type="submit" className={preview ? 'secondary' : 'primary'} disabled={busy || !target}>
              {busy && !preview ? 'Working…' : preview ? 'Preview again' : 'Preview changes'}
            </button>
          </div>
        </form>
      )}
      {preview ? (
        <div className="migrate-preview">
          <h3>
            Changes to {target} <span className="muted small">(preview, nothing applied yet)</span>
          </h3>
          <Changes result={preview} />
          <div className="actions">
            <button type="button" className="primary" disabled={busy || preview.changes.length === 0} onClick={() => void run(false)}>
              {busy ? 'Applying…' : `Apply ${preview.changes.length} change${preview.changes.length === 1 ? '' : 's'} to ${target}`}
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={reset}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {applied ? (
        <Notice kind="success">
          <p>
            <strong>
              {applied.applied ? `Applied ${applied.changes.length} change${applied.changes.length === 1 ? '' : 's'} to ${target}.` : `Nothing was changed on ${target}.`}
            </strong>
          </p>
          <Changes result={applied} />
        </Notice>
      ) : null}
    </div>
  );
}

/** A value as the preview shows it: short, one line; the whole value in the tooltip. */
function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

const SECRET_WORDS = { kept: 'kept', added: 'added', replaced: 'replaced', removed: 'removed' } as const;

/** The changes of an import, each with its value before and after; a secret only says what becomes of it. */
export function Changes({ result }: { result: ImportResult }) {
  const kept = (result.secrets ?? []).filter((s) => s.outcome === 'kept');
  return (
    <>
      {result.changes.length === 0 ? <p className="muted">No changes: the target already has these settings.</p> : null}
      {result.changes.length ? (
        <table className="changes">
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">Change</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {result.changes.map((c) => (
              <tr key={`${c.path}/${c.action}`}>
                <td>
                  <code>{c.path}</code>
                </td>
                <td>
                  <span className={`chip chip-change-${c.action}`}>{ACTION_WORDS[c.action]}</span>
                </td>
                {c.secret ? (
                  <td colSpan={2} className="muted">
                    Secret {SECRET_WORDS[c.secret]} (not shown)
                  </td>
                ) : (
                  <>
                    <td title={'before' in c ? shown(c.before) : undefined}>{'before' in c ? <code>{shown(c.before)}</code> : <span className="muted">—</span>}</td>
                    <td title={'after' in c ? shown(c.after) : undefined}>{'after' in c ? <code>{shown(c.after)}</code> : <span className="muted">—</span>}</td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {kept.length ? (
        <p className="muted small">
          Secrets kept as they are: {kept.map((s) => s.path).join(', ')}.
        </p>
      ) : null}
    </>
  );
}
