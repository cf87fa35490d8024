import { useState, type ChangeEvent } from 'react';
import { api, ApiError, type ImportResult } from '../api.js';
import { session } from '../session.js';
import { ErrorBox, Notice } from '../ui/Feedback.js';
import { Changes } from './MigrateToProduction.js';

/** Secret names the import asks for: `400 request.invalid` with issues at `secrets.<name>`. */
function missingSecrets(e: unknown): string[] {
  if (!(e instanceof ApiError) || e.code !== 'request.invalid') return [];
  return e.issues.filter((i) => i.path.startsWith('secrets.')).map((i) => i.path.slice('secrets.'.length));
}

/**
 * Plain export and import of this tenant's settings (SPEC §13, docs/config-bundle.md):
 * download the bundle; upload one, see each change with before and after, then apply.
 */
export function ExportImport() {
  const tenantId = session.tenantId();
  const system = session.isSystem();
  const [withSecrets, setWithSecrets] = useState(false);
  const [bundle, setBundle] = useState<unknown>();
  const [fileName, setFileName] = useState('');
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [asked, setAsked] = useState<string[]>([]);
  const [preview, setPreview] = useState<ImportResult>();
  const [applied, setApplied] = useState<ImportResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const download = async () => {
    setError(undefined);
    try {
      const b = await api.exportConfig(undefined, system && withSecrets);
      const url = URL.createObjectURL(new Blob([JSON.stringify(b, null, 2) + '\n'], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `postern-${tenantId}-settings${system && withSecrets ? '-with-secrets' : ''}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    }
  };

  const run = async (b: unknown, dryRun: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const given = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== ''));
      const res = await api.importConfig(undefined, { bundle: b, dryRun, ...(Object.keys(given).length ? { secrets: given } : {}) });
      if (dryRun) setPreview(res);
      else {
        setApplied(res);
        setPreview(undefined);
        setBundle(undefined);
        setSecrets({});
        setAsked([]);
      }
    } catch (e) {
      const missing = missingSecrets(e);
      if (missing.length) setAsked([...new Set([...asked, ...missing])]);
      setPreview(undefined);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setPreview(undefined);
    setApplied(undefined);
    setAsked([]);
    setSecrets({});
    setError(undefined);
    if (!file) return;
    setFileName(file.name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      setBundle(undefined);
      setError(new Error(`${file.name} is not a JSON file. Choose a settings file downloaded with “Download settings”.`));
      return;
    }
    setBundle(parsed);
    await run(parsed, true);
  };

  const missingNow = missingSecrets(error);
  return (
    <div className="card">
      <h2 id="export-h">Export and import settings</h2>
      <p className="muted small">
        The email connector, templates, branding, sign-in experience and code policy as one file. Importing a file makes this tenant’s settings equal to it; you see every change before
        anything is applied.
      </p>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void download()}>
          Download settings
        </button>
        {system ? (
          <label className="checkbox">
            <input type="checkbox" checked={withSecrets} onChange={(e) => setWithSecrets(e.target.checked)} /> Include connector secrets (keep the file safe)
          </label>
        ) : (
          <span className="muted small">Connector secrets are left out; only a system key can export them.</span>
        )}
      </div>
      <div className="field narrow">
        <label htmlFor="import-file">Import a settings file</label>
        <input id="import-file" type="file" accept="application/json,.json" onChange={(e) => void choose(e)} />
      </div>
      {asked.length ? (
        <fieldset className="group">
          <legend>Secrets the file leaves out</legend>
          {asked.map((name) => (
            <div className={`field narrow${missingNow.includes(name) ? ' invalid' : ''}`} key={name}>
              <label htmlFor={`import-secret-${name}`}>
                Connector secret <code>{name}</code>
              </label>
              <input id={`import-secret-${name}`} type="password" autoComplete="off" value={secrets[name] ?? ''} onChange={(e) => setSecrets({ ...secrets, [name]: e.target.value })} />
            </div>
          ))}
          <button type="button" className="secondary" disabled={busy || bundle === undefined} onClick={() => void run(bundle, true)}>
            Preview changes
          </button>
        </fieldset>
      ) : null}
      <ErrorBox error={missingNow.length ? undefined : error} title="The file was not imported." />
      {missingNow.length ? <Notice kind="warning">Enter the connector secret{missingNow.length > 1 ? 's' : ''} above, then preview again.</Notice> : null}
      {preview ? (
        <div className="import-preview">
          <h3>
            Changes from {fileName} <span className="muted small">(preview, nothing applied yet)</span>
          </h3>
          <Changes result={preview} />
          <div className="actions">
            <button type="button" className="primary" disabled={busy || preview.changes.length === 0} onClick={() => void run(bundle, false)}>
              {busy ? 'Applying…' : `Apply ${preview.changes.length} change${preview.changes.length === 1 ? '' : 's'}`}
            </button>
          </div>
        </div>
      ) : null}
      {applied ? <Notice kind="success">{applied.applied ? `Applied ${applied.changes.length} change${applied.changes.length === 1 ? '' : 's'}.` : 'Nothing was changed.'}</Notice> : null}
    </div>
  );
}
