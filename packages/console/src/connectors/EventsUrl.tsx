import { useState } from 'react';
import { api, type Connector } from '../api.js';
import { CopyButton } from '../ui/CopyButton.js';
import { ErrorBox, Notice } from '../ui/Feedback.js';

/**
 * The URL to paste at the provider for bounces and complaints (SPEC §16). Postmark's carries
 * generated credentials, masked after they were first shown; new ones can be made here.
 */
export function EventsUrl({ connector }: { connector: Connector }) {
  const [url, setUrl] = useState(connector.eventsUrl ?? '');
  const [fresh, setFresh] = useState(false);
  const [error, setError] = useState<unknown>();
  const masked = url.includes('••••');
  const renew = async () => {
    setError(undefined);
    try {
      setUrl((await api.newEventsCredentials(connector.id)).eventsUrl);
      setFresh(true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="field events-url">
      <label htmlFor="events-url">Events URL (bounces and complaints)</label>
      <div className="row">
        <input id="events-url" readOnly value={url} />
        {masked ? null : <CopyButton text={url} label="Copy the events URL" selectId="events-url" />}
      </div>
      <p className="muted small">Paste it at the provider as its event webhook; the set-up guide has the steps.</p>
      {fresh ? (
        <Notice kind="warning">
          Copy this URL now: its password is shown only once. The previous credentials no longer work.
        </Notice>
      ) : null}
      {connector.factoryId === 'postmark' ? (
        <button type="button" className="secondary small" onClick={() => void renew()}>
          New events credentials
        </button>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}
