/** The Save / Discard changes pair at the foot of a settings form (the form's submit saves). */
export function SaveActions({ busy, onDiscard }: { busy: boolean; onDiscard(): void }) {
  return (
    <div className="actions">
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>
      <button type="button" className="secondary" disabled={busy} onClick={onDiscard}>
        Discard changes
      </button>
    </div>
  );
}
