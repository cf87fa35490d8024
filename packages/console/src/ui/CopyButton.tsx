import { useState } from 'react';

/**
 * The one copy button of the console: copies `text` to the clipboard and says "Copied".
 * Without clipboard permission it selects `selectId`'s text (revealing it first through
 * `onFallback`) so that the user can copy it by hand.
 */
export function CopyButton({
  text,
  label,
  selectId,
  onFallback,
}: {
  text: string;
  label: string;
  selectId?: string;
  onFallback?(): void;
}) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      onFallback?.();
      const el = selectId ? document.getElementById(selectId) : null;
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
        el.focus();
        el.select();
      }
    }
  };
  return (
    <button type="button" className="secondary small copy" onClick={() => void copy()} aria-label={label} title={label}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

/** A value to paste elsewhere (a URL, a DNS record, a client id): shown read-only with its copy button. */
export function CopyValue({
  id,
  label,
  value,
  hideLabel,
}: {
  id: string;
  label: string;
  value: string;
  hideLabel?: boolean;
}) {
  return (
    <div className="field copy-value">
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      <div className="row">
        <input id={id} className="mono" type="text" readOnly value={value} onFocus={(e) => e.target.select()} />
        <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} selectId={id} />
      </div>
    </div>
  );
}
