import { useState } from 'react';
import { api, type Connector, type ConnectorFactory, type ConnectorHealth, type ConnectorRole } from '../api.js';
import { flatten } from './factories.js';
import { humanize } from '../form/schema.js';
import { navigate } from '../router.js';
import { ErrorBox, formatDate, Notice } from '../ui/Feedback.js';
import { Logo } from '../ui/Logo.js';
import { useLoad } from '../ui/useLoad.js';

const CIRCUIT_LABEL = {
  closed: 'Healthy',
  'half-open': 'Recovering (probing)',
  open: 'Paused: failing repeatedly',
} as const;

/** "state · last error · sent/failed in 5 minutes · p95" for one connector (SPEC §15). */
export function HealthLine({ health }: { health: ConnectorHealth | undefined }) {
  if (!health) return null;
  return (
    <p className={`health health-${health.circuit}`} aria-label="Connector health">
      <strong>{CIRCUIT_LABEL[health.circuit]}</strong> · last 5 minutes on this server: {health.sent5m} sent,{' '}
      {health.failed5m} failed
      {health.p95Ms !== null ? ` · p95 ${health.p95Ms} ms` : ''}
      {health.lastError ? (
        <>
          {' '}
          · last error <code>{health.lastError.code}</code> {formatDate(health.lastError.at)}:{' '}
          {health.lastError.message}
        </>
      ) : null}
    </p>
  );
}

/** The tenant's connector health, for the Connectors page. */
export function useHealth() {
  return useLoad(async () => (await api.connectorHealth()).items);
}

export const healthOf = (items: ConnectorHealth[] | undefined, role: ConnectorRole) =>
  items?.find((h) => h.role === role);

/** Connectors → "Fallback connector": beside the primary, the same set-up flow, test before save. */
export function FallbackSection({
  factories,
  hasPrimary,
  health,
}: {
  factories: ConnectorFactory[];
  hasPrimary: boolean;
  health: ConnectorHealth | undefined;
}) {
  const state = useLoad(() => api.fallbackConnector());
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState(false);
  const fallback: Connector | undefined = state.data;
  const factory = factories.find((f) => f.id === fallback?.factoryId);

  const remove = async () => {
    setError(undefined);
    try {
      await api.deleteFallbackConnector();
      setConfirm(false);
      setMessage('The fallback connector was removed.');
      await state.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <h2>Fallback connector</h2>
      {message ? <Notice kind="success">{message}</Notice> : null}
      <ErrorBox error={state.error ?? error} />
      {state.data === undefined && !state.loading && !state.error ? (
        <div className="card empty">
          <p>
            <strong>No fallback connector.</strong> When the email connector fails — the provider is down, times out,
            rate limits or refuses its credentials — a fallback delivers the message within the same request.
          </p>
          <button type="button" className="secondary" onClick={() => navigate('/connectors/fallback/new')}>
            Add a fallback connector
          </button>
        </div>
      ) : null}
      {fallback ? (
        <div className="card connector">
          <div className="connector-head">
            {factory ? <Logo svg={factory.logo} name={factory.name} size={48} /> : null}
            <div>
              <h3>{factory?.name ?? fallback.factoryId}</h3>
              <p className="muted small">
                {factory?.description} Updated {formatDate(fallback.updatedAt)}.
              </p>
            </div>
          </div>
          {hasPrimary ? null : (
            <Notice kind="warning">
              There is no email connector: the fallback is used only behind one, so nothing is sent until you set one
              up.
            </Notice>
          )}
          <HealthLine health={health} />
          <dl className="config-list" aria-label="Fallback configuration">
            {flatten(fallback.config).map(([path, value]) => (
              <div key={path}>
                <dt>{path.split('.').map(humanize).join(' › ')}</dt>
                <dd>
                  <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
                </dd>
              </div>
            ))}
          </dl>
          {confirm ? (
            <div className="notice warning" role="alertdialog" aria-labelledby="fb-del-q">
              <p id="fb-del-q">Remove the fallback connector? Messages then go through the email connector only.</p>
              <div className="actions">
                <button type="button" className="danger" onClick={() => void remove()}>
                  Remove fallback
                </button>
                <button type="button" className="secondary" onClick={() => setConfirm(false)} autoFocus>
                  Cancel
                </button>
              </div>
            </div>
          ) : null}
          <div className="actions">
            <button type="button" className="primary" onClick={() => navigate('/connectors/fallback/new')}>
              Change fallback connector
            </button>
            <button type="button" className="danger-outline" onClick={() => setConfirm(true)} disabled={confirm}>
              Remove
            </button>
          </div>
        </div>
      ) : null}
    </>
  );
}
