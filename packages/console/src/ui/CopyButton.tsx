import { useState } from 'react';

/** Copies `text` to the clipboard; without clipboard permission it selects `selectId`'s text instead. */
export function CopyButton({ text, label, selectId }: { text: string; label: string; selectId?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      const el = selectId ? document.getElementById(selectId) : null;
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
        el.focus();
        el.select();
      }
    }
  };
  return (
    <button type="button" className="secondary small" onClick={() => void copy()} aria-label={label}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
