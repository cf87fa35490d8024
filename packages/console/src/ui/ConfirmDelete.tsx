import { useEffect, useRef } from 'react';

/**
 * The inline "Delete …? / Cancel" pair of a table row: `what` names the kind of thing
 * ("key", "credential"), `name` the one at hand. Cancel takes the focus, so Enter does not
 * delete by accident.
 */
export function ConfirmDelete({ what, name, onYes, onNo }: { what: string; name: string; onYes(): void; onNo(): void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <span role="alertdialog" aria-label={`Delete the ${what} ${name}?`}>
      <button type="button" className="danger small" onClick={onYes}>
        Delete {what}
      </button>{' '}
      <button type="button" ref={cancel} className="secondary small" onClick={onNo}>
        Cancel
      </button>
    </span>
  );
}
