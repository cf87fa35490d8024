import type { MouseEvent, ReactNode } from 'react';
import { BASE, navigate } from '../router.js';

/** A real link (so it can be opened in a new tab) that navigates in-app on a plain click. */
export function Link({ to, children, className, ...rest }: { to: string; children: ReactNode; className?: string; 'aria-current'?: 'page'; 'aria-label'?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={`${BASE}${to}`} onClick={onClick} className={className} {...rest}>
      {children}
    </a>
  );
}
