import { describedBy, FieldNotes } from './Field.js';

/**
 * A labelled checkbox in the console's `.field` layout: a help line and an inline error,
 * both linked to the box for screen readers.
 */
export function Check({ id, label, help, error, checked, onChange }: { id: string; label: string; help?: string; error?: string | undefined; checked: boolean; onChange(on: boolean): void }) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <div className="check">
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, help, error)} />
        <label htmlFor={id}>{label}</label>
      </div>
      <FieldNotes id={id} help={help} error={error} />
    </div>
  );
}
