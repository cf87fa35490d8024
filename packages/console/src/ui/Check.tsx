/**
 * A labelled checkbox in the console's `.field` layout: a help line and an inline error,
 * both linked to the box for screen readers.
 */
export function Check({ id, label, help, error, checked, onChange }: { id: string; label: string; help?: string; error?: string | undefined; checked: boolean; onChange(on: boolean): void }) {
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <div className="check">
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-invalid={error ? true : undefined} aria-describedby={describedBy} />
        <label htmlFor={id}>{label}</label>
      </div>
      {help ? (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-err`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
