import { useState } from 'react';
import { api, ApiError, DEPENDENT_LABELS, type Connector, type ConnectorFactory, type ConnectorHealth } from '../api.js';
import { FallbackSection, HealthLine, healthOf, useHealth } from '../connectors/Fallback.js';
import { flash, flatten, loadFactories } from '../connectors/factories.js';
import { humanize } from '../form/schema.js';
import { navigate } from '../router.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { Logo } from '../ui/Logo.js';
import { EventsUrl } from '../connectors/EventsUrl.js';
import { useLoad } from '../ui/useLoad.js';

/** Connectors → "Email connector": the current one, Change, and Delete with the dependents warning. */
export function ConnectorsPage() {
  const [message, setMessage] = useState(flash.take);
  const state = useLoad(async () => {
    const [factories, connectors] = await Promise.all([loadFactories(), api.connectors()]);
    return { factories, connector: connectors.items[0] };
  });
  const health = useHealth();
  const connector = state.data?.connector;
  const factory = state.data?.factories.find((f) => f.id === connector?.factoryId);
  return (
    <section>
      <h1>Connectors</h1>
      {message ? <Notice kind="success">{message}</Notice> : null}
      <ErrorBox error={state.error} />
      <h2>Email connector</h2>
      {state.loading && !state.data ? <Loading what="the email connector" /> : null}
      {state.data && !connector ? (
        <div className="card empty">
          <p>
            <strong>No email connector.</strong> Sign-in emails cannot be sent until you set one up.
          </p>
          <button type="button" className="primary" onClick={() => navigate('/connectors/new')}>
            Set up email connector
          </button>
        </div>
      ) : null}
      {connector ? (
        <CurrentConnector
          connector={connector}
          factory={factory}
          health={healthOf(health.data, 'primary')}
          onDeleted={(text) => {
            setMessage(text);
            void state.reload();
          }}
        />
      ) : null}
      {state.data ? <FallbackSection factories={state.data.factories} hasPrimary={!!connector} health={healthOf(health.data, 'fallback')} /> : null}
    </section>
  );
}

type DeleteState = { step: 'idle' } | { step: 'confirm' } | { step: 'in-use'; dependents: string[] } | { step: 'busy'; force: boolean };

function CurrentConnector({ connector, factory, health, onDeleted }: { connector: Connector; factory: ConnectorFactory | undefined; health: ConnectorHealth | undefined; onDeleted(message: string): void }) {
  const [del, setDel] = useState<DeleteState>({ step: 'idle' });
  const [error, setError] = useState<unknown>();
  const name = factory?.name ?? connector.factoryId;
  const entries = flatten(connector.config);

  const remove = async (force: boolean) => {
    setDel({ step: 'busy', force });
    setError(undefined);
    try {
      const out = await api.deleteConnector(connector.id, force);
      const lost = out.warnings.map((w) => DEPENDENT_LABELS[w] ?? w);
      const base = lost.length ? `The email connector was deleted. These settings can no longer send email: ${lost.join(', ')}.` : 'The email connector was deleted.';
      onDeleted(out.fallbackConnector ? `${base} ${out.fallbackConnector.message}` : base);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'connector.in_use') setDel({ step: 'in-use', dependents: e.list('dependents') });
      else {
        setError(e);
        setDel({ step: 'idle' });
      }
    }
  };

  return (
    <div className="card connector">
      <div className="connector-head">
        {factory ? <Logo svg={factory.logo} name={factory.name} size={48} /> : null}
        <div>
          <h3>{name}</h3>
          <p className="muted small">
            {factory?.description} Updated {formatDate(connector.updatedAt)}.
          </p>
        </div>
      </div>
      <HealthLine health={health} />
      {entries.length ? (
        <dl className="config-list" aria-label="Configuration">
          {entries.map(([path, value]) => (
            <div key={path}>
              <dt>{path.split('.').map(humanize).join(' › ')}</dt>
              <dd>
                <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">No settings: this connector works as it is.</p>
      )}
      {connector.eventsUrl ? <EventsUrl connector={connector} /> : null}
      <ErrorBox error={error} />
      {del.step === 'confirm' ? (
        <div className="notice warning" role="alertdialog" aria-labelledby="del-q">
          <p id="del-q">Delete the {name} email connector?</p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void remove(false)}>
              Delete connector
            </button>
            <button type="button" className="secondary" onClick={() => setDel({ step: 'idle' })} autoFocus>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {del.step === 'in-use' ? (
        <div className="notice warning" role="alertdialog" aria-labelledby="in-use-title" aria-describedby="in-use-list">
          <p id="in-use-title">
            <strong>The sign-in experience still needs email.</strong> Without an email connector these stop working:
          </p>
          <ul id="in-use-list" className="dependents">
            {del.dependents.map((d) => (
              <li key={d}>{DEPENDENT_LABELS[d] ?? d}</li>
            ))}
          </ul>
          <p>Turn them off in the sign-in experience first, or delete anyway.</p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void remove(true)}>
              Delete anyway
            </button>
            <button type="button" className="secondary" onClick={() => setDel({ step: 'idle' })} autoFocus>
              Keep the connector
            </button>
          </div>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" onClick={() => navigate('/connectors/new')}>
          Change email connector
        </button>
        <button type="button" className="danger-outline" onClick={() => setDel({ step: 'confirm' })} disabled={del.step !== 'idle'}>
          {del.step === 'busy' ? 'Deleting…' : 'Delete'}
        </button>
      </div>
    </div>
  );
}
