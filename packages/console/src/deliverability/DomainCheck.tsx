import { useState, type FormEvent } from 'react';
import { api, type CheckPart, type DomainCheck as Result } from '../api.js';
import { ErrorBox } from '../ui/Feedback.js';
import { Field, issueMap } from '../ui/Field.js';

const STATUS_WORDS: Record<CheckPart['status'], string> = { pass: 'pass', warn: 'warn', fail: 'fail', missing: 'missing' };

/** `POST /api/deliverability/check`: SPF, DKIM and DMARC as three cards plus the advice. */
export function DomainCheck() {
  const [domain, setDomain] = useState('');
  const [selector, setSelector] = useState('');
  const [result, setResult] = useState<{ domain: string; r: Result }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const errs = issueMap(error);

  const check = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const d = domain.trim();
      setResult({ domain: d, r: await api.checkDomain(d, selector.trim() || undefined) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card">
      <h2>Check domain</h2>
      <p className="muted small">Looks up the SPF, DKIM and DMARC records of the domain you send from.</p>
      <form className="inline-form" onSubmit={check} noValidate aria-label="Check domain">
        <Field id="check-domain" label="Domain" error={errs.domain}>
          <input type="text" spellCheck={false} placeholder="auth.example.com" value={domain} onChange={(e) => setDomain(e.target.value)} />
        </Field>
        <Field id="check-selector" label="DKIM selector (optional)" error={errs.dkimSelector}>
          <input type="text" spellCheck={false} placeholder="postern1" value={selector} onChange={(e) => setSelector(e.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Check domain'}
        </button>
      </form>
      <ErrorBox error={error} />
      {result ? (
        <div aria-live="polite">
          <h3 className="visually-hidden">Results for {result.domain}</h3>
          <div className="check-cards">
            <Part name="SPF" part={result.r.spf} />
            <Part name="DKIM" part={result.r.dkim} />
            <Part name="DMARC" part={result.r.dmarc} />
          </div>
          {result.r.advice.length ? (
            <>
              <h3>Advice</h3>
              <ul className="advice">
                {result.r.advice.map((a, i) => (
                  <li key={i}>{a}</li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function Part({ name, part }: { name: string; part: CheckPart }) {
  return (
    <section className={`check-card check-${part.status}`} aria-label={`${name}: ${part.status}`}>
      <h4>
        {name} <span className={`chip chip-check-${part.status}`}>{STATUS_WORDS[part.status]}</span>
      </h4>
      {part.record ? <pre className="record-text">{part.record}</pre> : <p className="muted small">No record found.</p>}
      {part.issues.length ? (
        <ul className="issues">
          {part.issues.map((i, n) => (
            <li key={n}>{i}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
