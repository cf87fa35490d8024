import { useState, type ReactNode } from 'react';
import { api, tenantPrefix, type DomainCheck } from '../api.js';
import { loadFactories } from '../connectors/factories.js';
import { session } from '../session.js';
import { CopyButton } from '../ui/CopyButton.js';
import { ErrorBox, Loading } from '../ui/Feedback.js';
import { Link } from '../ui/Link.js';
import { useLoad } from '../ui/useLoad.js';

/** The address a connector sends from, where its config names one. */
function senderOf(config: Record<string, unknown> | undefined): string | undefined {
  for (const key of ['fromEmail', 'from', 'senderEmail', 'accountName']) {
    const v = config?.[key];
    if (typeof v === 'string' && v.includes('@')) return v;
  }
  return undefined;
}

/**
 * The console's first page (SPEC 14): a checklist read from the tenant's real state,
 * each step linking to where it is done, and the tenant's hosted pages to open and share.
 */
export function GettingStartedPage() {
  const tenantId = session.tenantId();
  const state = useLoad(async () => {
    const [factories, connectors, sent, captured, dkim, users, apps] = await Promise.all([
      loadFactories(),
      api.connectors(),
      api.emailLogs({ status: 'sent', limit: 200 }),
      api.emailLogs({ status: 'captured', limit: 200 }),
      api.dkimKeys(),
      api.users({ limit: 1 }),
      api.applications(),
    ]);
    const connector = connectors.items[0];
    const delivered = [...sent.items, ...captured.items].filter((l) => l.factoryId === connector?.factoryId);
    return {
      connector,
      factory: factories.find((f) => f.id === connector?.factoryId),
      delivered: delivered.length,
      sender: senderOf(connector?.config),
      dkim: dkim.items,
      users: users.items.length,
      apps: apps.items.length,
    };
  }, [tenantId]);
  const [check, setCheck] = useState<{ result?: DomainCheck; error?: unknown; busy?: boolean }>({});

  if (state.error) return <ErrorBox error={state.error} />;
  if (!state.data) return <Loading what="your set-up" />;
  const { connector, factory, delivered, sender, dkim, users, apps } = state.data;
  const domain = sender?.split('@')[1]?.toLowerCase();
  const domainKeys = dkim.filter((k) => k.domain.toLowerCase() === domain);
  const builtin = connector?.factoryId === 'builtin';

  const runCheck = async () => {
    if (!domain) return;
    setCheck({ busy: true });
    try {
      setCheck({ result: await api.checkDomain(domain, domainKeys[0]?.selector) });
    } catch (error) {
      setCheck({ error });
    }
  };
  const spfOk = check.result ? check.result.spf.status === 'pass' : undefined;
  const dkimOk = check.result && domainKeys.length ? check.result.dkim.status === 'pass' : undefined;

  const base = `${window.location.origin}${tenantPrefix(tenantId)}`;
  const pages = [
    { path: '/sign-in', label: 'Sign-in page' },
    { path: '/register', label: 'Sign-up page' },
    { path: '/forgot-password', label: 'Password reset page' },
    { path: '/account', label: 'Account page' },
  ];

  return (
    <section>
      <h1>Getting started</h1>
      <p className="muted">
        Each step below is read from this tenant’s settings and logs; it is ticked once it is really done.
      </p>
      <div className="card">
        <h2 id="checklist-heading">Checklist</h2>
        <ol className="checklist" aria-labelledby="checklist-heading">
          <Step
            done={!!connector}
            title="Set an email connector"
            to="/connectors"
            action={connector ? 'Change it' : 'Set it up'}
          >
            {connector ? (
              <>
                Sending with <strong>{factory?.name ?? connector.factoryId}</strong>
                {builtin
                  ? ': mail is captured into the Mailbox until you choose a provider (or the operator sets a relay).'
                  : '.'}
              </>
            ) : (
              'No email connector: sign-in emails cannot be sent.'
            )}
          </Step>
          <Step
            done={delivered > 0}
            title="Send a test email"
            to={connector ? `/connectors/new/${encodeURIComponent(connector.factoryId)}` : '/connectors/new'}
            action="Send one"
          >
            {delivered > 0
              ? `The current connector has delivered ${delivered === 1 ? 'one message' : `${delivered} messages`}.`
              : 'No message has gone out with the current connector yet.'}
          </Step>
          <Step done={spfOk === true} title="Check the sender domain" to="/deliverability" action="Deliverability">
            {domain ? (
              <>
                Sender <code>{sender}</code>.{' '}
                {check.result ? (
                  <span>
                    SPF: {check.result.spf.status}, DMARC: {check.result.dmarc.status}.
                  </span>
                ) : (
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => void runCheck()}
                    disabled={check.busy}
                  >
                    {check.busy ? 'Checking…' : `Check ${domain} now`}
                  </button>
                )}
              </>
            ) : builtin ? (
              'The built-in service sends from the operator’s address; set up your own provider to send from your domain.'
            ) : (
              'The connector names no sender address.'
            )}
            {check.error ? <ErrorBox error={check.error} /> : null}
          </Step>
          <Step
            done={dkimOk === true}
            title="Publish a DKIM key"
            to="/deliverability"
            action={domainKeys.length ? 'See its DNS record' : 'Create one'}
          >
            {domainKeys.length
              ? `A DKIM key exists for ${domain} (selector ${domainKeys[0]!.selector})${check.result ? `; DNS check: ${check.result.dkim.status}.` : '; check the domain to see whether it is published.'}`
              : domain
                ? `No DKIM key for ${domain} yet.`
                : 'Create a key for your sending domain and publish its DNS record.'}
          </Step>
          <Step done={users > 0} title="First sign-up" to="/users" action="Users">
            {users > 0 ? (
              'Someone has signed up.'
            ) : (
              <>
                Nobody has signed up yet: try the <a href={`${base}/register`}>hosted sign-up page</a>.
              </>
            )}
          </Step>
          <Step done={apps > 0} title="Create an application" to="/applications" action="Applications">
            {apps > 0 ? (apps === 1 ? 'One application signs in through this tenant.' : `${apps} applications sign in through this tenant.`) : 'Register the app that sends its users here to sign in (OpenID Connect).'}
          </Step>
        </ol>
      </div>
      <div className="card">
        <h2>Your hosted pages</h2>
        <p className="muted small">Send your users to these pages, or link them from your application.</p>
        <ul className="hosted-links">
          {pages.map((p) => (
            <li key={p.path}>
              <a href={`${base}${p.path}`} target="_blank" rel="noreferrer">
                {p.label}
              </a>{' '}
              <code className="url">{`${base}${p.path}`}</code>{' '}
              <CopyButton text={`${base}${p.path}`} label={`Copy the ${p.label.toLowerCase()} address`} />
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function Step({
  done,
  title,
  to,
  action,
  children,
}: {
  done: boolean;
  title: string;
  to: string;
  action: string;
  children: ReactNode;
}) {
  return (
    <li className={`step ${done ? 'step-done' : 'step-todo'}`}>
      <span className="step-mark" aria-hidden="true">
        {done ? '✓' : ''}
      </span>
      <div>
        <p className="step-title">
          <strong>{title}</strong>{' '}
          <span className={`chip ${done ? 'chip-sent' : 'chip-suppressed'}`}>{done ? 'Done' : 'To do'}</span>
        </p>
        <div className="step-body">{children}</div>
        <Link to={to}>{action}</Link>
      </div>
    </li>
  );
}
