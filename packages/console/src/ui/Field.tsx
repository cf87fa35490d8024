import { cloneElement, type ReactElement, type ReactNode } from 'react';
import { ApiError } from '../api.js';

/**
 * An issue's reason as a sentence for people: the API's issues carry the validator's
 * words (`Too small: expected string to have >=1 characters`), shown beside the field.
 */
export function humanIssue(message: string): string {
  const m = message.trim();
  let r: RegExpMatchArray | null;
  if (/received undefined$/.test(m) || /^Required$/i.test(m)) return 'This field is required.';
  if ((r = m.match(/^Too small: expected string to have >=?(\d+) characters?/))) return Number(r[1]) <= 1 ? 'This field is required.' : `Enter at least ${r[1]} characters.`;
  if ((r = m.match(/^Too big: expected string to have <=?(\d+) characters?/))) return `Use at most ${r[1]} characters.`;
  if ((r = m.match(/^Too small: expected number to be >=?(-?[\d.]+)/))) return `Enter a number of at least ${r[1]}.`;
  if ((r = m.match(/^Too big: expected number to be <=?(-?[\d.]+)/))) return `Enter a number of at most ${r[1]}.`;
  if ((r = m.match(/^Too small: expected array to have >=?(\d+) items?/))) return `Add at least ${r[1]}.`;
  if ((r = m.match(/^Too big: expected array to have <=?(\d+) items?/))) return `Keep at most ${r[1]}.`;
  if (/^Invalid email/i.test(m)) return 'Enter an email address such as name@example.com.';
  if (/^Invalid URL/i.test(m)) return 'Enter a full URL, such as https://example.com/…';
  if ((r = m.match(/^Invalid input: expected (\w+), received \w+/))) return r[1] === 'number' || r[1] === 'int' ? 'Enter a number.' : r[1] === 'boolean' ? 'Choose yes or no.' : 'Enter a value of the right kind.';
  if (/^Invalid option/i.test(m)) return 'Choose one of the listed values.';
  if (/^Invalid string: must match pattern/i.test(m)) return 'This value is not in the expected format.';
  if (/^unknown fields?$/i.test(m)) return 'This field is not recognised.';
  if (/^Invalid input$/i.test(m)) return 'This value is not valid.';
  const s = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?…]$/.test(s) ? s : `${s}.`;
}

/** `details.issues` of a validation error keyed by path (without a leading `body.`), in words for people. */
export function issueMap(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const i of error.issues) {
    const path = i.path.replace(/^body\./, '');
    const message = humanIssue(i.message);
    out[path] = out[path] ? `${out[path]} ${message}` : message;
  }
  return out;
}

/**
 * A labelled form field: the label, the control (given its id and aria wiring here),
 * a help line and an inline error, in the console's `.field` layout.
 */
export function Field({ id, label, help, error, children, className }: { id: string; label: ReactNode; help?: ReactNode; error?: string | undefined; children: ReactElement<Record<string, unknown>>; className?: string }) {
  const control = cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy(id, help, error) });
  return (
    <div className={`field${error ? ' invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      <FieldNotes id={id} help={help} error={error} />
    </div>
  );
}

/** The ids a control's `aria-describedby` names: its help line and its error, when shown. */
export function describedBy(id: string, help: unknown, error: unknown): string | undefined {
  return [help ? `${id}-help` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
}

/** A field's help line and inline error, with the ids `describedBy` names. */
export function FieldNotes({ id, help, error }: { id: string; help?: ReactNode; error?: string | undefined }) {
  return (
    <>
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
    </>
  );
}
