import type { MouseEvent, ReactNode } from 'react';
import { go } from './nav.js';

/** A real link between hosted pages that navigates in-page on a plain click. */
export function HostedLink({ to, children }: { to: string; children: ReactNode }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go(to);
  };
  return (
    <a href={to} onClick={onClick}>
      {children}
    </a>
  );
}
