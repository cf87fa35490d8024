import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.js';
import { session } from '../session.js';
import { ErrorBox } from '../ui/Feedback.js';

/**
 * Admin-key sign-in. The key is checked with `GET /api/connectors` on the chosen tenant;
 * `GET /api/tenants` then tells a system key (which may switch tenants) from a tenant key.
 */
export function SignIn({ onSignedIn }: { onSignedIn(): void }) {
  const [key, setKey] = useState('');
  const [tenantId, setTenantId] = useState('default');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const auth = { key: key.trim(), tenantId: tenantId.trim() || 'default' };
    if (!auth.key) return setError(new ApiError(0, 'auth.missing', 'Paste an admin key.'));
    setBusy(true);
    setError(undefined);
    try {
      await api.checkKey(auth);
      let isSystem = false;
      try {
        await api.tenants(auth);
        isSystem = true;
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 403) throw err;
      }
      session.signIn(auth.key, auth.tenantId, isSystem);
      onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'auth.forbidden') {
        setError(new ApiError(403, err.code, `This key belongs to another tenant than "${auth.tenantId}". Enter the key's tenant id.`));
      } else if (err instanceof ApiError && err.code === 'auth.unauthorized') {
        setError(new ApiError(401, err.code, 'That admin key is not valid.'));
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <form className="card signin-card" onSubmit={submit} noValidate>
        <h1>
          <span className="brand-mark" aria-hidden="true">
            ✉
          </span>{' '}
          Postern console
        </h1>
        <p className="muted">Sign in with an admin key. It is kept only in this browser tab.</p>
        <div className="field">
          <label htmlFor="admin-key">Admin key</label>
          <input id="admin-key" type="password" autoComplete="off" spellCheck={false} value={key} onChange={(e) => setKey(e.target.value)} autoFocus />
        </div>
        <div className="field">
          <label htmlFor="signin-tenant">Tenant</label>
          <input id="signin-tenant" type="text" spellCheck={false} value={tenantId} onChange={(e) => setTenantId(e.target.value)} aria-describedby="signin-tenant-help" />
          <p className="help" id="signin-tenant-help">
            <code>default</code> unless your key belongs to another tenant. A system key can switch tenants later.
          </p>
        </div>
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
