import { useState, type FormEvent } from 'react';
import { api, WEBHOOK_EVENTS, type Webhook, type WebhookDelivery, type WebhookEvent } from '../api.js';
import { ErrorBox, formatDate, Loading, Notice } from '../ui/Feedback.js';
import { SecretValue } from '../ui/SecretValue.js';
import { useLoad } from '../ui/useLoad.js';

const STATE_LABELS: Record<WebhookDelivery['state'], string> = {
  queued: 'Retrying',
  sending: 'Sending',
  delivered: 'Delivered',
  failed: 'Failed',
};

/** Event webhooks out (`/api/webhooks`): register, secret shown once, deliveries, test event. */
export function WebhooksPage() {
  const hooks = useLoad(() => api.webhooks().then((p) => p.items), []);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['email.sent', 'email.bounced', 'email.complained']);
  const [error, setError] = useState<unknown>();
  const [message, setMessage] = useState('');
  const [secret, setSecret] = useState<{ url: string; secret: string; how: 'created' | 'rotated' }>();
  const [open, setOpen] = useState<string>();

  const act = async (work: () => Promise<void>) => {
    setError(undefined);
    setMessage('');
    try {
      await work();
    } catch (e) {
      setError(e);
    }
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const made = await api.createWebhook({ url: url.trim(), events });
      setSecret({ url: made.url, secret: made.secret, how: 'created' });
      setUrl('');
      await hooks.reload();
    });
  };

  const toggle = (ev: WebhookEvent) =>
    setEvents((prev) => (prev.includes(ev) ? prev.filter((x) => x !== ev) : [...prev, ev]));

  return (
    <section>
      <h1>Webhooks</h1>
      <p className="muted">
        Postern tells your app what happened — sent, delivered, bounced, complained, sign-ins and more — by posting JSON
        signed with Standard Webhooks to your URL. Failed deliveries are retried for 24 hours; an endpoint that fails
        for 24 hours is turned off.
      </p>
      <form className="card" onSubmit={create} aria-label="Add a webhook">
        <div className="field">
          <label htmlFor="wh-url">Endpoint URL</label>
          <input
            id="wh-url"
            type="url"
            required
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://app.example.com/postern-events"
          />
        </div>
        <fieldset className="group">
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <div key={ev} className="check">
              <input id={`wh-ev-${ev}`} type="checkbox" checked={events.includes(ev)} onChange={() => toggle(ev)} />
              <label htmlFor={`wh-ev-${ev}`}>{ev}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={events.length === 0}>
          Add webhook
        </button>
      </form>
      {secret ? (
        <div className="notice success" role="status">
          <p>
            <strong>
              Signing secret for {secret.url} {secret.how}.
            </strong>{' '}
            Copy it now: it is not shown again.
            {secret.how === 'rotated' ? ' The old secret keeps signing beside it for 24 hours.' : ''}
          </p>
          <div className="row">
            <SecretValue id="wh-secret" label="Signing secret" value={secret.secret} />
            <button type="button" className="secondary" onClick={() => setSecret(undefined)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      {message ? <Notice kind="success">{message}</Notice> : null}
      <ErrorBox error={error ?? hooks.error} />
      {hooks.loading && !hooks.data ? <Loading what="webhooks" /> : null}
      {hooks.data?.length === 0 ? <p className="card empty">No webhook yet.</p> : null}
      {hooks.data?.map((h) => (
        <WebhookCard
          key={h.id}
          hook={h}
          open={open === h.id}
          onOpen={() => setOpen(open === h.id ? undefined : h.id)}
          act={act}
          onMessage={setMessage}
          onSecret={(s) => setSecret({ url: h.url, secret: s, how: 'rotated' })}
          reload={hooks.reload}
        />
      ))}
    </section>
  );
}

function WebhookCard({
  hook: h,
  open,
  onOpen,
  act,
  onMessage,
  onSecret,
  reload,
}: {
  hook: Webhook;
  open: boolean;
  onOpen(): void;
  act(work: () => Promise<void>): Promise<void>;
  onMessage(m: string): void;
  onSecret(secret: string): void;
  reload(): Promise<void>;
}) {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>();
  const loadDeliveries = async () => setDeliveries((await api.webhookDeliveries(h.id)).items);

  const test = () =>
    act(async () => {
      const d = await api.testWebhook(h.id);
      onMessage(
        d.state === 'delivered'
          ? `Test event delivered to ${h.url} (HTTP ${d.lastStatus}).`
          : `Test event not delivered: ${d.lastError ?? 'no answer'} It will be retried.`,
      );
      if (open) await loadDeliveries();
    });

  return (
    <article className="card" aria-label={`Webhook ${h.url}`}>
      <h2 className="mono">{h.url}</h2>
      <p>
        {h.enabled ? <span className="badge current">Enabled</span> : <span className="badge">Disabled</span>}{' '}
        {h.events.map((e) => (
          <code key={e}>{e} </code>
        ))}
      </p>
      {h.disabledReason ? <Notice kind="warning">{h.disabledReason}</Notice> : null}
      {h.enabled && h.failingSince ? (
        <p className="muted">Deliveries have been failing since {formatDate(h.failingSince)}.</p>
      ) : null}
      <div className="row">
        <button type="button" className="secondary small" onClick={() => void test()}>
          Send test event
        </button>
        <button
          type="button"
          className="secondary small"
          aria-expanded={open}
          onClick={() => {
            onOpen();
            if (!open) void act(loadDeliveries);
          }}
        >
          {open ? 'Hide deliveries' : 'Deliveries'}
        </button>
        <button
          type="button"
          className="secondary small"
          onClick={() =>
            void act(async () => {
              await api.updateWebhook(h.id, { enabled: !h.enabled });
              await reload();
            })
          }
        >
          {h.enabled ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          className="secondary small"
          onClick={() =>
            void act(async () => {
              onSecret((await api.rotateWebhookSecret(h.id)).secret);
              await reload();
            })
          }
        >
          Rotate secret
        </button>
        <button
          type="button"
          className="danger small"
          aria-label={`Delete webhook ${h.url}`}
          onClick={() =>
            void act(async () => {
              if (!window.confirm(`Delete the webhook to ${h.url} and its deliveries?`)) return;
              await api.deleteWebhook(h.id);
              onMessage(`The webhook to ${h.url} was deleted.`);
              await reload();
            })
          }
        >
          Delete
        </button>
      </div>
      {open ? (
        deliveries === undefined ? (
          <Loading what="deliveries" />
        ) : deliveries.length === 0 ? (
          <p className="muted">Nothing was sent to this endpoint yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Deliveries to {h.url}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last answer</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <code>{d.eventType}</code>
                    </td>
                    <td>{STATE_LABELS[d.state]}</td>
                    <td>{d.attempts}</td>
                    <td>{d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '—')}</td>
                    <td className="nowrap">{formatDate(d.createdAt)}</td>
                    <td>
                      <button
                        type="button"
                        className="secondary small"
                        aria-label={`Redeliver ${d.eventType} of ${formatDate(d.createdAt)}`}
                        onClick={() =>
                          void act(async () => {
                            const again = await api.redeliverWebhook(h.id, d.id);
                            onMessage(
                              again.state === 'delivered'
                                ? `${d.eventType} delivered again.`
                                : `Redelivery failed: ${again.lastError ?? 'no answer'}`,
                            );
                            await loadDeliveries();
                          })
                        }
                      >
                        Redeliver
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </article>
  );
}
