import { useState } from 'react';
import { CopyButton } from './CopyButton.js';

/**
 * A generated secret the user must keep (an admin key, a signing secret), shown once:
 * masked until Reveal, with Copy. Shared by every place that hands out a secret.
 */
export function SecretValue({ id, label, value }: { id: string; label: string; value: string }) {
  const [revealed, setRevealed] = useState(false);
  return (
    <div className="row secret-value grow">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input
        id={id}
        className="mono"
        type={revealed ? 'text' : 'password'}
        readOnly
        value={value}
        onFocus={(e) => e.target.select()}
        autoComplete="off"
      />
      <RevealButton revealed={revealed} onToggle={setRevealed} />
      <CopyButton text={value} label="Copy to the clipboard" selectId={id} onFallback={() => setRevealed(true)} />
    </div>
  );
}

export function RevealButton({ revealed, onToggle }: { revealed: boolean; onToggle(v: boolean): void }) {
  return (
    <button type="button" className="secondary small" aria-pressed={revealed} onClick={() => onToggle(!revealed)}>
      {revealed ? 'Hide' : 'Reveal'}
    </button>
  );
}
