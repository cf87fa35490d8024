import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type Config, type Connector, type ConnectorFactory, type ConnectorRole, type TestSendResult } from '../api.js';
import { humanIssue } from '../ui/Field.js';
import { configPath, destinationPaths, humanize, isMasked, prune, valueAt, withDefaults, type Schema } from '../form/schema.js';
import { SchemaForm } from '../form/SchemaForm.js';
import { navigate } from '../router.js';
import { ErrorBox, Loading, Notice } from '../ui/Feedback.js';
import { Link } from '../ui/Link.js';
import { Logo } from '../ui/Logo.js';
import { Markdown } from '../ui/Markdown.js';
import { useLoad } from '../ui/useLoad.js';
import { flash, flatten, loadFactories } from './factories.js';
import { SMTP_LABELS, smtpAdjust, smtpInitial, smtpWarnings } from './smtp.js';

/**
 * Step 2 of Set up / Change: the provider's README beside a form drawn from its schema,
 * a test send with the unsaved config, then Save and Done (`PUT /api/connectors/email`).
 */
export function ConnectorSetup({ factoryId, role = 'primary' }: { factoryId: string; role?: ConnectorRole }) {
  const state = useLoad(async () => {
    const [factories, current] = await Promise.all([loadFactories(), role === 'fallback' ? api.fallbackConnector() : api.connectors().then((c) => c.items[0])]);
    return { factory: factories.find((f) => f.id === factoryId), current };
  }, [factoryId, role]);
  if (state.error) return <ErrorBox error={state.error} />;
  if (!state.data) return <Loading what="the provider" />;
  const { factory, current } = state.data;
  if (!factory) {
    return (
      <section>
        <h1>Unknown provider</h1>
        <p>
          There is no connector factory <code>{factoryId}</code>. <Link to={pickerRoute(role)}>Choose another provider</Link>.
        </p>
      </section>
    );
  }
  return <SetupForm role={role} factory={factory} current={current?.factoryId === factory.id ? current : undefined} replacing={current && current.factoryId !== factory.id ? current : undefined} />;
}

/** Where the provider picker of a role lives. */
export const pickerRoute = (role: ConnectorRole) => (role === 'fallback' ? '/connectors/fallback/new' : '/connectors/new');

type Errors = Record<string, string[]>;

/** Splits `details.issues` into config field errors, the recipient's, and the rest. */
function issueErrors(e: unknown): { fields: Errors; to: string[]; other: string[] } {
  const out = { fields: {} as Errors, to: [] as string[], other: [] as string[] };
  if (!(e instanceof ApiError)) return out;
  for (const raw of e.issues) {
    const i = { ...raw, message: humanIssue(raw.message) };
    if (i.path === 'body.to' || i.path === 'to') out.to.push(i.message);
    else if (/^(body\.)?config(\.|$)/.test(i.path) && configPath(i.path)) (out.fields[configPath(i.path)] ??= []).push(i.message);
    else out.other.push(`${humanize(i.path.replace(/^body\./, '').split('.').pop() ?? '')}: ${i.message}`);
  }
  return out;
}

function SetupForm({ role, factory, current, replacing }: { role: ConnectorRole; factory: ConnectorFactory; current: Connector | undefined; replacing: Connector | undefined }) {
  const fallback = role === 'fallback';
  const schema = factory.configSchema as Schema;
  const smtp = factory.id === 'smtp';
  const [config, setConfigRaw] = useState<Config>(() => {
    const initial = withDefaults(schema, current?.config);
    return smtp ? smtpInitial(initial, !current) : initial;
  });
  const setConfig = (next: Config) => setConfigRaw((prev) => (smtp ? smtpAdjust(prev, next) : next));
  // The DKIM key is picked from the tenant's keys (Deliverability), not typed as an id.
  const dkim = useLoad(() => (smtp ? api.dkimKeys().then((p) => p.items) : Promise.resolve([])), [smtp]);
  const choices = smtp && dkim.data ? { 'dkim.keyId': dkim.data.map((k) => ({ value: k.id, label: `${k.selector}._domainkey.${k.domain}` })) } : undefined;
  const warnings = smtp ? smtpWarnings(config) : [];
  const [masked] = useState<Record<string, string>>(() => Object.fromEntries(flatten(current?.config ?? {}).filter(([, v]) => isMasked(v)) as [string, string][]));
  const [to, setTo] = useState('');
  const [errors, setErrors] = useState<{ fields: Errors; to: string[]; other: string[] }>({ fields: {}, to: [], other: [] });
  const [test, setTest] = useState<{ result?: TestSendResult; error?: unknown; to?: string }>({});
  const [saveError, setSaveError] = useState<unknown>();
  const [busy, setBusy] = useState<'test' | 'save' | undefined>();

  useEffect(() => {
    document.title = `${factory.name} · Postern`;
  }, [factory.name]);

  const payload = () => (prune(config, schema, schema) as Config | undefined) ?? {};
  // Saved secrets go only where they went before: a changed destination needs them typed again.
  const sameFactory = current?.factoryId === factory.id;
  const moved = sameFactory ? destinationPaths(schema).filter((p) => JSON.stringify(valueAt(config, p) ?? null) !== JSON.stringify(valueAt(current?.config, p) ?? null)) : [];

  const sendTest = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('test');
    setTest({});
    setSaveError(undefined);
    try {
      const result = await api.testConnector(factory.id, payload(), to.trim(), role);
      setErrors({ fields: {}, to: [], other: [] });
      setTest({ result, to: to.trim() });
    } catch (err) {
      setErrors(issueErrors(err));
      setTest({ error: err });
    } finally {
      setBusy(undefined);
    }
  };

  const save = async () => {
    setBusy('save');
    setSaveError(undefined);
    try {
      if (fallback) await api.replaceFallbackConnector(factory.id, payload());
      else await api.replaceEmailConnector(factory.id, payload());
      flash.set(fallback ? `${factory.name} is now the fallback connector.` : `${factory.name} is now the email connector.`);
      navigate('/connectors');
    } catch (err) {
      setErrors(issueErrors(err));
      setSaveError(err);
      setBusy(undefined);
    }
  };

  const attempts = test.error instanceof ApiError && typeof test.error.details.attempts === 'number' ? test.error.details.attempts : undefined;
  return (
    <section>
      <p className="crumbs">
        <Link to="/connectors">Connectors</Link> / <Link to={pickerRoute(role)}>{fallback ? 'Choose a fallback provider' : 'Choose a provider'}</Link> / {factory.name}
      </p>
      <div className="setup-title">
        <Logo svg={factory.logo} name={factory.name} size={48} />
        <div>
          <h1>{current ? `Change ${factory.name} settings` : fallback ? `Set up ${factory.name} as the fallback` : `Set up ${factory.name}`}</h1>
          <p className="muted">{factory.description}</p>
        </div>
      </div>
      {replacing ? (
        <Notice kind="warning">
          {fallback ? `Saving replaces the current fallback connector (${replacing.factoryId}).` : `Saving replaces the current email connector (${replacing.factoryId}). The next email is sent with this one.`}
        </Notice>
      ) : null}
      {fallback ? <Notice kind="info">The fallback delivers when the primary connector fails (unreachable, timing out, rate limited, refusing its credentials) or is paused by its circuit breaker. A refused recipient does not fail over.</Notice> : null}
      <div className="setup">
        <article className="card readme" aria-label={`${factory.name} setup guide`}>
          <Markdown source={factory.readme} />
        </article>
        <div className="setup-form">
          <form className="card" onSubmit={(e) => e.preventDefault()} noValidate aria-label={`${factory.name} configuration`}>
            <h2>Configuration</h2>
            <p className="muted small">
              Fields marked <span className="required">*</span> are required.
            </p>
            <SchemaForm schema={schema} value={config} onChange={setConfig} errors={errors.fields} masked={masked} moved={moved} {...(smtp ? { labels: SMTP_LABELS } : {})} {...(choices ? { choices } : {})} />
            {warnings.map((w) => (
              <Notice kind="warning" key={w}>
                {w}
              </Notice>
            ))}
          </form>
          <form className="card" onSubmit={sendTest} noValidate aria-label="Send a test email">
            <h2>Send test email</h2>
            <p className="muted small">Sends one real message with the settings above, before you save them.</p>
            <div className={`field${errors.to.length ? ' invalid' : ''}`}>
              <label htmlFor="test-to">Send to</label>
              <input id="test-to" type="email" autoComplete="email" value={to} onChange={(e) => setTo(e.target.value)} aria-invalid={errors.to.length ? true : undefined} aria-describedby={errors.to.length ? 'test-to-err' : undefined} />
              {errors.to.length ? (
                <p className="field-error" id="test-to-err">
                  {errors.to.join(' ')}
                </p>
              ) : null}
            </div>
            <button type="submit" className="secondary" disabled={busy !== undefined}>
              {busy === 'test' ? 'Sending…' : 'Send test email'}
            </button>
            <div aria-live="polite" className="test-result">
              {test.result ? (
                <Notice kind="success">
                  <strong>Test email sent to {test.to}.</strong>
                  <dl className="facts">
                    <dt>Provider message id</dt>
                    <dd>
                      <code>{test.result.providerMessageId ?? '(none)'}</code>
                    </dd>
                    <dt>Attempts</dt>
                    <dd>{test.result.attempts}</dd>
                    <dt>Duration</dt>
                    <dd>{test.result.durationMs} ms</dd>
                  </dl>
                </Notice>
              ) : null}
              {test.error ? (
                <>
                  <ErrorBox error={test.error} title="The test email was not sent." />
                  {attempts !== undefined ? <p className="muted small">Attempts: {attempts}</p> : null}
                </>
              ) : null}
            </div>
          </form>
          {errors.other.length ? (
            <div className="notice error" role="alert">
              <ul>
                {errors.other.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <ErrorBox error={saveError} title="Not saved." />
          <div className="actions">
            <button type="button" className="primary" onClick={save} disabled={busy !== undefined}>
              {busy === 'save' ? 'Saving…' : 'Save and Done'}
            </button>
            <Link to="/connectors" className="button-link">
              Cancel
            </Link>
          </div>
        </div>
      </div>
    </section>
  );
}
