import { useMemo } from 'react';
import { marked } from 'marked';
import DOMPurify from 'dompurify';

/** A connector README: Markdown rendered by marked, then sanitised by DOMPurify. */
export function Markdown({ source, className }: { source: string; className?: string }) {
  const html = useMemo(() => {
    const raw = marked.parse(source, { async: false, gfm: true });
    return DOMPurify.sanitize(raw, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'button'], FORBID_ATTR: ['style'] });
  }, [source]);
  // Sanitised above; this is the one place the console renders provider-supplied HTML.
  return <div className={`markdown ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
