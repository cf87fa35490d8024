import { isNoticeTemplateType, type TemplateType } from '@postern/connector-kit';
import { checkTemplate, type VariableRef } from './sandbox.js';
import { isKnownVariable, type RenderedTemplate, type TemplateContent, type TemplateField, type TemplateWarning } from './types.js';

/** Gmail clips messages past about 102 KB; warn a little before that. */
export const MAX_MESSAGE_BYTES = 100 * 1024;

const TAG = /<([a-z][a-z0-9-]*)\b([^>]*)>/gi;
const URL_ATTR = /\s(src|href|srcset|background)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

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
  // A notice (SPEC §19) carries no code and no link: nothing is required of it.
  for (const field of isNoticeTemplateType(type) ? [] : bodyFields) {
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

  const seen = new Set<string>();
  warnings.push(...insecureUrls(content.html, true, seen));

  if (rendered) {
    warnings.push(...insecureUrls(rendered.html, false, seen));
    const bytes = Buffer.byteLength(rendered.html) + Buffer.byteLength(rendered.text);
    if (bytes > MAX_MESSAGE_BYTES) {
      warnings.push({ code: 'too_large', message: `The rendered message is ${Math.ceil(bytes / 1024)} KB; over 100 KB, mail clients such as Gmail clip it.` });
    }
  }
  return warnings;
}

/**
 * Non-https `src`/`href`/`srcset`/`background` URLs. In a template, a URL that starts with
 * a variable is skipped: the rendered message is where its value is known.
 */
function insecureUrls(html: string, isTemplate: boolean, seen: Set<string>): TemplateWarning[] {
  const out: TemplateWarning[] = [];
  for (const [, tagName = '', attrs = ''] of html.matchAll(TAG)) {
    const tag = tagName.toLowerCase();
    for (const m of attrs.matchAll(URL_ATTR)) {
      const attr = (m[1] ?? '').toLowerCase();
      const raw = (m[2] ?? m[3] ?? m[4] ?? '').trim();
      if (raw === '' || (isTemplate && raw.startsWith('{{'))) continue;
      const urls = attr === 'srcset' ? raw.split(',').map((s) => s.trim().split(/\s+/)[0] ?? '') : [raw];
      const isLink = tag === 'a' || tag === 'area';
      for (const url of urls) {
        const decoded = url.replace(/&amp;/g, '&');
        if (/^https:\/\//i.test(decoded) || decoded.startsWith('#') || (isLink && /^mailto:/i.test(decoded))) continue;
        if (seen.has(decoded)) continue;
        seen.add(decoded);
        const shown = isTemplate ? clip(decoded) : originOf(decoded);
        const what = isLink ? 'link' : tag === 'img' || attr === 'background' ? 'image' : `<${tag}> ${attr}`;
        out.push({ code: 'insecure_url', field: 'html', message: `The ${what} "${shown}" is not https; mail clients may block it or warn the reader.` });
      }
    }
  }
  return out;
}

function clip(url: string): string {
  return url.length > 80 ? `${url.slice(0, 77)}...` : url;
}

/** Rendered URLs may carry tokens (invitation links): name only their scheme and host. */
function originOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:)(\/\/[^/?#]*)?/i.exec(url);
  return m ? `${m[1]}${m[2] ?? ''}…` : clip(url.split(/[?#]/)[0] ?? '');
}
