import { useEffect, useRef, useState } from 'react';
import { tenantPrefix } from '../api.js';
import { session } from '../session.js';

/** The unsaved branding fields the hosted pages wear. */
export interface PreviewBranding {
  companyName: string;
  senderName: string;
  logoUrl: string;
  darkLogoUrl: string;
  primaryColor: string;
}

type Scheme = 'light' | 'dark';

// The same names as packages/pages/src/preview.ts, which checks every value it is sent.
const PREVIEW_MESSAGE = 'postern.branding-preview';
const PREVIEW_READY = 'postern.preview-ready';

/**
 * The tenant's hosted sign-in page in a frame, wearing the branding as it is typed, before it
 * is saved: each change is posted to the frame (same origin only), which takes it only from
 * its parent and shows itself as an inert preview. Light and dark switch the frame's scheme.
 */
export function HostedPreview({ branding }: { branding: PreviewBranding }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [scheme, setScheme] = useState<Scheme>(() => (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  const src = `${tenantPrefix(session.tenantId())}/preview/sign-in?lang=en`;
  const latest = useRef({ branding, scheme });
  latest.current = { branding, scheme };

  const send = () => {
    const target = frame.current?.contentWindow;
    if (!target) return;
    const b = latest.current.branding;
    target.postMessage(
      {
        type: PREVIEW_MESSAGE,
        scheme: latest.current.scheme,
        // The name as the server picks it: the company name, else the sender name (else the saved one, in the frame).
        branding: { name: b.companyName.trim() || b.senderName.trim() || null, logoUrl: b.logoUrl.trim() || null, darkLogoUrl: b.darkLogoUrl.trim() || null, primaryColor: b.primaryColor.trim() || null },
      },
      window.location.origin,
    );
  };

  useEffect(send, [branding, scheme]);
  useEffect(() => {
    // The frame asks once it listens; a reply before that would be lost.
    const onMessage = (e: MessageEvent) => {
      if (e.origin === window.location.origin && e.source === frame.current?.contentWindow && (e.data as { type?: unknown } | null)?.type === PREVIEW_READY) send();
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, []);

  return (
    <section className="card hosted-preview" aria-labelledby="hosted-preview-title">
      <div className="row spread">
        <h2 id="hosted-preview-title">Hosted sign-in page</h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Colour scheme of the preview</legend>
          {(['light', 'dark'] as const).map((s) => (
            <label key={s} className={scheme === s ? 'on' : undefined}>
              <input type="radio" name="hosted-preview-scheme" value={s} checked={scheme === s} onChange={() => setScheme(s)} />
              {s === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </fieldset>
      </div>
      <p className="muted small">Unsaved changes show here as you type. Save to put them on the real pages.</p>
      {/* The frame shows the chosen scheme itself (preview.ts); colorScheme paints the frame's canvas to match while it loads. */}
      <iframe ref={frame} className="hosted-preview-frame" title="Preview of the hosted sign-in page" src={src} style={{ colorScheme: scheme }} onLoad={send} />
    </section>
  );
}
