import { api, type ConnectorRole } from '../api.js';
import { pickerRoute } from './ConnectorSetup.js';
import { Link } from '../ui/Link.js';
import { navigate } from '../router.js';
import { ErrorBox, Loading } from '../ui/Feedback.js';
import { Logo } from '../ui/Logo.js';
import { useLoad } from '../ui/useLoad.js';
import { loadFactories } from './factories.js';

/** Step 1 of Set up / Change: a grid of the connector factories. */
export function ProviderPicker({ role = 'primary' }: { role?: ConnectorRole }) {
  const fallback = role === 'fallback';
  const state = useLoad(async () => ({ factories: await loadFactories(), current: fallback ? await api.fallbackConnector() : (await api.connectors()).items[0] }), [role]);
  return (
    <section>
      <p className="crumbs">
        <Link to="/connectors">Connectors</Link> / {fallback ? 'Choose a fallback provider' : 'Choose a provider'}
      </p>
      <h1>{fallback ? 'Choose a fallback provider' : 'Choose an email provider'}</h1>
      <p className="muted">{fallback ? 'When the email connector fails, Postern sends through the provider you choose here.' : 'Postern sends every sign-in email through the one provider you choose here.'}</p>
      <ErrorBox error={state.error} />
      {state.loading && !state.data ? <Loading what="providers" /> : null}
      <ul className="provider-grid">
        {state.data?.factories.map((f) => (
          <li key={f.id}>
            <button type="button" className="provider" onClick={() => navigate(`${pickerRoute(role)}/${encodeURIComponent(f.id)}`)} aria-describedby={`provider-${f.id}-desc`}>
              <Logo svg={f.logo} name={f.name} size={44} />
              <span className="provider-name">{f.name}</span>
              <span className="provider-desc" id={`provider-${f.id}-desc`}>
                {f.description}
              </span>
              {state.data?.current?.factoryId === f.id ? <span className="badge current">Current</span> : null}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
