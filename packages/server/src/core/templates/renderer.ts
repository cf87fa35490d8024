import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as HtmlToText from 'html-to-text';
import { TemplateError } from './errors.js';
import { newBudget, TEMPLATE_LIMITS, type TemplateBudget } from './limits.js';
import { checkTemplate, COMPILE_OPTIONS, RUNTIME_OPTIONS, sandbox } from './sandbox.js';
import type { RenderedTemplate, TemplateContent, TemplateField, TemplateVariables } from './types.js';
import { sanitizeVariables } from './variables.js';

type Delegate = (context: unknown, options?: Record<string, unknown>) => string;

/** The compiled form of one `TemplateContent`; shared by every render of the same content. */
export interface CompiledTemplate {
  readonly subject: Delegate;
  readonly html: Delegate;
  readonly text: Delegate | undefined;
}

// html-to-text is loaded the first time a template without a text part is rendered (the
// shipped ones all have one); it is CommonJS, so that load is synchronous.
let htmlToTextFn: ((html: string) => string) | undefined;
/** The plain-text part derived from an HTML one (templates without a text part, submitted mail with HTML only). */
export const htmlToText = (html: string): string => {
  htmlToTextFn ??= (createRequire(import.meta.url)('html-to-text') as typeof HtmlToText).compile(HTML_TO_TEXT);
  // Cut here rather than by html-to-text's own limit, which writes a warning to the console.
  return htmlToTextFn(html.length > TEMPLATE_LIMITS.maxDerivedTextInput ? html.slice(0, TEMPLATE_LIMITS.maxDerivedTextInput) : html);
};

const HTML_TO_TEXT: HtmlToText.HtmlToTextOptions = {
  wordwrap: 78,
  // Deeply nested elements would otherwise overflow the converter's recursion (a 500).
  limits: { maxDepth: 48, maxChildNodes: 2_000 },
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'block' },
  ],
};

const LINE_BREAK = /[\r\n]/;
/** Line breaks (and the Unicode line separators) that a variable brings into a subject. */
const SUBJECT_BREAKS = /(?:\r\n|[\r\n\u0085\u2028\u2029])+/g;
/** Every other control character: C0 (with TAB, which becomes a space), DEL and C1. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * The subject as a header may carry it: line breaks from variables folded into one space,
 * TAB as a space, every other control character (NUL, ESC, DEL, C1) removed.
 */
export function cleanSubject(subject: string): string {
  return subject
    .replace(SUBJECT_BREAKS, ' ')
    .replace(CONTROL, (c) => (c === '\t' ? ' ' : ''))
    .trim();
}

/**
 * Compiles and renders templates in the sandbox (see sandbox.ts). Compiled templates are
 * cached by a hash of their content, so a tenant's template compiles once however often
 * it is sent; frozen contents (the shipped defaults) skip even the hashing.
 */
export class TemplateRenderer {
  readonly #cacheSize: number;
  readonly #byHash = new Map<string, CompiledTemplate>();
  readonly #byFrozen = new WeakMap<TemplateContent, CompiledTemplate>();

  constructor(opts: { cacheSize?: number } = {}) {
    this.#cacheSize = Math.max(1, opts.cacheSize ?? 500);
  }

  /**
   * Throws `TemplateError` when the content cannot be used: a part that does not compile
   * or uses what the sandbox refuses, or a `senderName`/`replyTo` that could not be a
   * header (line breaks, not an address).
   */
  validate(content: TemplateContent): void {
    for (const field of ['senderName', 'replyTo'] as const) {
      const value: unknown = content[field];
      if (value === undefined) continue;
      const at = typeof value === 'string' ? value.search(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/) : 0;
      if (at >= 0) throw new TemplateError({ field, line: 1, column: at + 1, reason: `The ${field} must be a single line of text without control characters.` });
      if (field === 'replyTo' && !/^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/.test(value as string)) {
        throw new TemplateError({ field, line: 1, column: 1, reason: 'The replyTo must be an email address.' });
      }
    }
    this.compile(content);
  }

  /** The compiled template for this content, from the cache when it was compiled before. */
  compile(content: TemplateContent): CompiledTemplate {
    const frozen = Object.isFrozen(content);
    if (frozen) {
      const hit = this.#byFrozen.get(content);
      if (hit) return hit;
    }
    const key = contentHash(content);
    let compiled = this.#byHash.get(key);
    if (compiled) {
      // Re-insert to mark as most recently used.
      this.#byHash.delete(key);
      this.#byHash.set(key, compiled);
    } else {
      compiled = compileContent(content);
      this.#byHash.set(key, compiled);
      if (this.#byHash.size > this.#cacheSize) {
        const oldest = this.#byHash.keys().next().value;
        if (oldest !== undefined) this.#byHash.delete(oldest);
      }
    }
    if (frozen) this.#byFrozen.set(content, compiled);
    return compiled;
  }

  render(content: TemplateContent, variables: TemplateVariables): RenderedTemplate {
    const compiled = this.compile(content);
    const context = sanitizeVariables(variables);
    try {
      const subject = cleanSubject(compiled.subject(context, RUNTIME_OPTIONS));
      const html = compiled.html(context, RUNTIME_OPTIONS);
      const text = compiled.text ? compiled.text(context, RUNTIME_OPTIONS) : htmlToText(html);
      return { subject, html, text: normalizeText(text) };
    } catch (err) {
      // Whatever fails while rendering is the template's problem (422), never a 500.
      if (err instanceof TemplateError) throw err;
      throw new TemplateError({ field: 'html', line: 1, column: 1, reason: 'The template could not be rendered with these variables.' }, { cause: err });
    }
  }
}

function contentHash(content: TemplateContent): string {
  const h = createHash('sha256');
  for (const part of [content.subject, content.html, content.text ?? '']) {
    h.update(String(part.length));
    h.update(':');
    h.update(part);
  }
  h.update(content.text === undefined ? '-' : '+');
  return h.digest('base64url');
}

function compileContent(content: TemplateContent): CompiledTemplate {
  if (typeof content.subject !== 'string' || typeof content.html !== 'string') {
    throw new TemplateError({ field: typeof content.subject !== 'string' ? 'subject' : 'html', line: 1, column: 1, reason: 'The template must be a string.' });
  }
  const breakAt = content.subject.search(LINE_BREAK);
  if (breakAt >= 0) {
    throw new TemplateError({ field: 'subject', line: 1, column: breakAt + 1, reason: 'The subject must be a single line (no CR or LF).' });
  }
  const controlAt = content.subject.search(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  if (controlAt >= 0) {
    throw new TemplateError({ field: 'subject', line: 1, column: controlAt + 1, reason: 'The subject must not contain control characters.' });
  }
  const budget = newBudget();
  return {
    subject: compileField(content.subject, 'subject', budget),
    html: compileField(content.html, 'html', budget),
    text: content.text === undefined ? undefined : compileField(content.text, 'text', budget),
  };
}

function compileField(source: string, field: TemplateField, budget: TemplateBudget): Delegate {
  const { program } = checkTemplate(source, field, budget);
  const delegate = sandbox.compile(program, { ...COMPILE_OPTIONS, noEscape: field !== 'html' }) as Delegate;
  try {
    // Handlebars compiles lazily; compile now so that errors surface at validation, not at send.
    delegate({}, RUNTIME_OPTIONS);
  } catch (err) {
    throw new TemplateError({ field, line: 1, column: 1, reason: 'The template does not compile.' }, { cause: err });
  }
  return delegate;
}

/** CRLF-free, trailing spaces trimmed, at most one blank line in a row. */
function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim() + '\n';
}
