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
