/** A navigation entry whose page is not built yet: says so, shows no data. */
export function ComingSoon({ title, what }: { title: string; what: string }) {
  return (
    <section>
      <h1>{title}</h1>
      <div className="card soon" role="note">
        <p className="badge">Coming soon</p>
        <p>{what}</p>
        <p className="muted">This page is not available in this version of the console yet.</p>
      </div>
    </section>
  );
}
