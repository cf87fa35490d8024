import { Fragment, type ReactNode } from 'react';

/**
 * An email address that may wrap at its natural points (before `@` and before each dot)
 * rather than in the middle of a word. `<wbr>` adds no character, so a copied address stays
 * exact; a single part too long for the line still breaks (`.address` in hosted.css).
 */
export function Address({ value }: { value: string }) {
  const parts = value.split(/(?=[@.])/);
  return (
    <span className="address">
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {p}
        </Fragment>
      ))}
    </span>
  );
}

/** `text` with each of `addresses` in it shown as an `Address`. */
export function withAddresses(text: string, ...addresses: string[]): ReactNode {
  const wanted = [...new Set(addresses.filter((a) => a.length > 0))].sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return text;
  const escaped = wanted.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pieces = text.split(new RegExp(`(${escaped.join('|')})`));
  return pieces.map((p, i) => (i % 2 === 1 ? <Address key={i} value={p} /> : p));
}
