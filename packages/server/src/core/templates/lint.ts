import type { TemplateType } from '@postern/connector-kit';
import { checkTemplate, type VariableRef } from './sandbox.js';
import { isKnownVariable, type RenderedTemplate, type TemplateContent, type TemplateField, type TemplateWarning } from './types.js';

/** Gmail clips messages past about 102 KB; warn a little before that. */
export const MAX_MESSAGE_BYTES = 100 * 1024;

const URL_ATTR = /<(img|a|link|source|area)\b[^>]*?\s(src|href|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/**
 * Lints a template for the preview (SPEC §5). Warnings never block saving; a template that
 * does not compile is reported by `TemplateRenderer.validate`, not here. With `rendered`,
 * the size and the URLs of the finished message are checked too.
 */
export function lintTemplate(type: TemplateType, content: TemplateContent, rendered?: RenderedTemplate): TemplateWarning[] {
  const warnings: TemplateWarning[] = [];
  const refs = new Map<TemplateField, VariableRef[]>();
  for (const field of ['subject', 'html', 'text'] as const) {
    const source = content[field];
    if (typeof source !== 'string') continue;
    try {
      refs.set(field, checkTemplate(source, field).refs);
    } catch {
      // Not compilable: validation reports it with its position.
    }
  }
  const uses = (field: TemplateField, name: string): boolean => (refs.get(field) ?? []).some((r) => r.parts.length === 1 && r.parts[0] === name);
  const bodyFields: TemplateField[] = content.text === undefined ? ['html'] : ['html', 'text'];

  const required = type === 'OrganizationInvitation' ? { name: 'link', code: 'missing_link' } : { name: 'code', code: 'missing_code' };
  for (const field of bodyFields) {
    if (refs.has(field) && !uses(field, required.name)) {
      warnings.push({
        code: required.code,
        field,
        message: `The ${field === 'html' ? 'HTML' : 'text'} part never shows {{${required.name}}}, so the recipient cannot ${required.name === 'code' ? 'see the code' : 'open the invitation'}.`,
      });
    }
  }

  for (const [field, list] of refs) {
    const reported = new Set<string>();
    for (const ref of list) {
      const name = ref.parts.join('.');
      if (isKnownVariable(ref.parts) || reported.has(name)) continue;
      reported.add(name);
      warnings.push({ code: 'unknown_variable', field, message: `{{${name}}} (line ${ref.line}, column ${ref.column}) is not a known variable and renders as empty.` });
    }
  }

  const insecure = new Set<string>();
  const checkUrls = (html: string, isTemplate: boolean): void => {
    for (const m of html.matchAll(URL_ATTR)) {
      const tag = (m[1] ?? '').toLowerCase();
      const attr = (m[2] ?? '').toLowerCase();
      const raw = (m[3] ?? m[4] ?? m[5] ?? '').trim();
      // A URL that starts with a variable is checked in the rendered message instead.
      if (raw === '' || (isTemplate && raw.startsWith('{{'))) continue;
      const urls = attr === 'srcset' ? raw.split(',').map((s) => s.trim().split(/\s+/)[0] ?? '') : [raw];
      for (const url of urls) {
        const decoded = url.replace(/&amp;/g, '&');
        if (/^https:\/\//i.test(decoded) || decoded.startsWith('#') || decoded.startsWith('{{')) continue;
        if (tag === 'a' && /^mailto:/i.test(decoded)) continue;
        if (insecure.has(decoded)) continue;
        insecure.add(decoded);
        const shown = isTemplate ? clip(decoded) : originOf(decoded);
        warnings.push({ code: 'insecure_url', field: 'html', message: `The ${tag === 'a' ? 'link' : 'image'} "${shown}" is not https; mail clients may block it or warn the reader.` });
      }
    }
  };
  checkUrls(content.html, true);

  if (rendered) {
    checkUrls(rendered.html, false);
    const bytes = Buffer.byteLength(rendered.html) + Buffer.byteLength(rendered.text);
    if (bytes > MAX_MESSAGE_BYTES) {
      warnings.push({ code: 'too_large', message: `The rendered message is ${Math.ceil(bytes / 1024)} KB; over 100 KB, mail clients such as Gmail clip it.` });
    }
  }
  return warnings;
}

function clip(url: string): string {
  return url.length > 80 ? `${url.slice(0, 77)}...` : url;
}

/** Rendered URLs may carry tokens (invitation links): name only their scheme and host. */
function originOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:)(\/\/[^/?#]*)?/i.exec(url);
  return m ? `${m[1]}${m[2] ?? ''}…` : clip(url.split(/[?#]/)[0] ?? '');
}
