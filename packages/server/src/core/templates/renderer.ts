import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as HtmlToText from 'html-to-text';
import { TemplateError } from './errors.js';
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
const htmlToText = (html: string): string => {
  htmlToTextFn ??= (createRequire(import.meta.url)('html-to-text') as typeof HtmlToText).compile(HTML_TO_TEXT);
  return htmlToTextFn(html);
};

const HTML_TO_TEXT: HtmlToText.HtmlToTextOptions = {
  wordwrap: 78,
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
    const subject = compiled.subject(context, RUNTIME_OPTIONS).trim();
    if (LINE_BREAK.test(subject)) {
      throw new TemplateError({ field: 'subject', line: 1, column: 1, reason: 'The rendered subject contains a line break (from a variable).' });
    }
    const html = compiled.html(context, RUNTIME_OPTIONS);
    const text = compiled.text ? compiled.text(context, RUNTIME_OPTIONS) : htmlToText(html);
    return { subject, html, text: normalizeText(text) };
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
  return {
    subject: compileField(content.subject, 'subject'),
    html: compileField(content.html, 'html'),
    text: content.text === undefined ? undefined : compileField(content.text, 'text'),
  };
}

function compileField(source: string, field: TemplateField): Delegate {
  const { program } = checkTemplate(source, field);
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
