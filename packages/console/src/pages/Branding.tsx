import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, BRANDING_FIELDS, type Branding, type Preview } from '../api.js';
import { ErrorBox, Loading, Notice } from '../ui/Feedback.js';
import { Field, issueMap } from '../ui/Field.js';
import { useLoad } from '../ui/useLoad.js';
import { useDebounced } from '../ui/useDebounced.js';
import { TemplatePreview } from '../templates/TemplatePreview.js';
import { HostedPreview } from '../branding/HostedPreview.js';
import { SaveActions } from '../ui/SaveActions.js';

type Key = (typeof BRANDING_FIELDS)[number];
type Form = Record<Key, string>;

const FIELDS: { key: Exclude<Key, 'primaryColor'>; label: string; type: 'text' | 'url' | 'email'; help: string; multiline?: boolean }[] = [
  { key: 'senderName', label: 'Sender name', type: 'text', help: 'The From name of messages, unless the connector or template sets one.' },
  { key: 'companyName', label: 'Company name', type: 'text', help: 'Shown in subjects and footers, e.g. “Acme Inc.”.' },
  { key: 'companyInformation', label: 'Company information', type: 'text', help: 'Postal address or legal line for the footer.', multiline: true },
  { key: 'logoUrl', label: 'Logo URL', type: 'url', help: 'An https:// image, shown on light backgrounds.' },
  { key: 'darkLogoUrl', label: 'Dark logo URL', type: 'url', help: 'An https:// image for dark mode.' },
  { key: 'supportEmail', label: 'Support email', type: 'email', help: 'Where users can ask for help.' },
];
const HEX = /^#[0-9a-fA-F]{6}$/;

const toForm = (b: Branding): Form => Object.fromEntries(BRANDING_FIELDS.map((k) => [k, b[k] ?? ''])) as Form;

/** `GET/PATCH /api/branding`, and how a sign-in message looks with it. */
export function BrandingPage() {
  const state = useLoad(() => api.branding());
  return (
    <section>
      <h1>Branding</h1>
      <p className="muted">Used by the email templates (as {'{{branding.…}}'}), the built-in email service’s designs and the hosted sign-in pages, whose preview follows your changes before you save them.</p>
      <ErrorBox error={state.error} />
      {state.data ? <BrandingForm initial={state.data} /> : state.loading ? <Loading what="the branding" /> : null}
    </section>
  );
}

function BrandingForm({ initial }: { initial: Branding }) {
  const [saved, setSaved] = useState(() => toForm(initial));
  const [form, setForm] = useState(saved);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<Preview>();
  const [previewError, setPreviewError] = useState<unknown>();
  const errs = issueMap(error);

  // The message preview renders the form as it stands (unsaved included), a moment after typing stops.
  const draft = useDebounced(form, 300);
  const asked = useRef(0);
  useEffect(() => {
    const n = ++asked.current;
    // A logo that is not https:// is refused on save; the preview leaves it out rather than load it.
    const usable = (k: Key) => {
      const v = draft[k].trim();
      return v !== '' && (k === 'logoUrl' || k === 'darkLogoUrl' ? /^https:\/\//i.test(v) : true);
    };
    const branding = Object.fromEntries(BRANDING_FIELDS.filter(usable).map((k) => [k, draft[k].trim()]));
    api.preview({ locale: 'en', templateType: 'SignIn', variables: { branding } }).then(
      (p) => {
        // Only the latest answer counts: an earlier one may arrive after it.
        if (n !== asked.current) return;
        setPreview(p);
        setPreviewError(undefined);
      },
      (e: unknown) => n === asked.current && setPreviewError(e),
    );
  }, [draft]);

  const set = (patch: Partial<Form>) => {
    setForm({ ...form, ...patch });
    setDone(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    // A merge patch of the changed fields: an emptied field is null, which clears it.
    const patch: Record<string, string | null> = {};
    for (const k of BRANDING_FIELDS) if (form[k] !== saved[k]) patch[k] = form[k].trim() === '' ? null : form[k].trim();
    try {
      const next = toForm(await api.patchBranding(patch));
      setSaved(next);
      setForm(next);
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="editor">
      <form className="card" onSubmit={submit} noValidate aria-label="Branding">
        {FIELDS.map((f) => (
          <Field key={f.key} id={`brand-${f.key}`} label={f.label} help={f.help} error={errs[f.key]}>
            {f.multiline ? <textarea rows={2} value={form[f.key]} onChange={(e) => set({ [f.key]: e.target.value })} /> : <input type={f.type} value={form[f.key]} onChange={(e) => set({ [f.key]: e.target.value })} />}
          </Field>
        ))}
        <div className={`field${errs.primaryColor ? ' invalid' : ''}`}>
          <label htmlFor="brand-primaryColor">Primary colour</label>
          <div className="row">
            <input className="swatch" type="color" aria-label="Primary colour picker" value={HEX.test(form.primaryColor) ? form.primaryColor.toLowerCase() : '#000000'} onChange={(e) => set({ primaryColor: e.target.value })} />
            <input id="brand-primaryColor" type="text" className="mono hex" spellCheck={false} placeholder="#4f46e5" value={form.primaryColor} onChange={(e) => set({ primaryColor: e.target.value })} aria-invalid={errs.primaryColor ? true : undefined} aria-describedby={`brand-primaryColor-help${errs.primaryColor ? ' brand-primaryColor-err' : ''}`} />
          </div>
          <p className="help" id="brand-primaryColor-help">
            A hex colour such as #4f46e5, used for buttons and accents.
          </p>
          {errs.primaryColor ? (
            <p className="field-error" id="brand-primaryColor-err">
              {errs.primaryColor}
            </p>
          ) : null}
        </div>
        {done ? <Notice kind="success">Branding saved.</Notice> : null}
        <ErrorBox error={error} title="Not saved." />
        <SaveActions busy={busy} onDiscard={() => { setForm(saved); setError(undefined); }} />
      </form>
      <div className="previews">
        <HostedPreview branding={form} />
        <TemplatePreview preview={preview} error={previewError} title="A sign-in message with these changes" />
      </div>
    </div>
  );
}
