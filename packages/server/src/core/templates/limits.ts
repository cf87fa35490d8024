import { TemplateError } from './errors.js';
import type { TemplateField } from './types.js';

/**
 * How big and how deep a template may be. Handlebars' parser is a generated LALR parser
 * whose cost grows with the number of tags and faster than linearly with block nesting
 * (20,000 nested `{{#if}}` take minutes); it runs on the event loop, so these bounds are
 * checked by a linear scan *before* the parser sees the source. The figures keep the worst
 * template that passes them under about 100 ms of compile or render time (measured by
 * `bench/templates.mjs`, see docs/benchmarks.md).
 */
export const TEMPLATE_LIMITS = Object.freeze({
  /** Characters in the HTML or the text part. Gmail clips messages past about 102 KB. */
  maxPartChars: 128 * 1024,
  /** Characters in the subject (RFC 5322's line limit). */
  maxSubjectChars: 998,
  /** `{{…}}` tags in all parts of one template together. */
  maxTags: 500,
  /**
   * The parser's tokens in all parts together, estimated as three per tag plus one per
   * separator inside it (`.`, `/`, space, `=`, parentheses, quotes): `{{a.b.c.d}}` costs more
   * than `{{code}}`, and the parser's time follows the tokens.
   */
  maxTokens: 2_500,
  /** Blocks (`{{#…}}`, `{{^…}}`, and each `{{else if …}}`, which nests one level) open inside each other. */
  maxDepth: 16,
  /** Characters in one tag from `{{` to `}}` (comments excepted). */
  maxTagChars: 128,
  /** `{{#each}}` repeats its body once per key (at most 10); tag evaluations after that, all parts together. */
  maxExpandedTags: 10_000,
  /** Estimated characters of output, all parts together, with every variable at its longest. */
  maxExpandedChars: 2 * 1024 * 1024,
  /** Characters of one variable's value; longer values are cut (see variables.ts). */
  maxVariableChars: 2_048,
  /** Characters of rendered HTML from which a missing text part is derived. */
  maxDerivedTextInput: 64 * 1024,
  /** The most keys any object in a template's context has (the root: code, link, …, branding). */
  maxKeysPerObject: 10,
});

/** The tag budget shared by the parts of one template while they are checked. */
export interface TemplateBudget {
  tags: number;
  tokens: number;
  expandedTags: number;
  expandedChars: number;
}

export const newBudget = (): TemplateBudget => ({ tags: 0, tokens: 0, expandedTags: 0, expandedChars: 0 });

const SEPARATORS = /[./\s=()|"']+/g;

function position(source: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i !== -1 && i < index; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

function refuse(source: string, field: TemplateField, index: number, reason: string): never {
  throw new TemplateError({ field, ...position(source, index), reason });
}

/**
 * The linear pre-parse check: size, number of tags, length of a tag and block nesting.
 * It reads tags the way Handlebars' lexer does closely enough to count them; it never has
 * to be exact, because the parser still decides what the template means.
 */
export function precheck(source: string, field: TemplateField, budget: TemplateBudget): void {
  const L = TEMPLATE_LIMITS;
  const max = field === 'subject' ? L.maxSubjectChars : L.maxPartChars;
  if (source.length > max) {
    throw new TemplateError({
      field,
      line: 1,
      column: 1,
      reason: `The ${field} is ${source.length} characters long; at most ${max} are allowed.`,
    });
  }
  // Per open block, how many levels it holds: 1, plus one per `{{else if …}}` in its chain.
  const open: number[] = [];
  let depth = 0;
  let i = source.indexOf('{{');
  while (i !== -1) {
    let j = i + 2;
    while (source[j] === '{') j++;
    if (source[j] === '~') j++;
    if (source[j] === '!') {
      // A comment is one token; `{{!-- … --}}` may contain `}}`.
      const long = source.startsWith('--', j + 1);
      const end = long ? source.indexOf('--', j + 3) : source.indexOf('}}', j);
      const close = long && end !== -1 ? source.indexOf('}}', end) : end;
      // Unfinished: the parser reports it with its own position, after at most this many tags.
      if (close === -1) return;
      i = source.indexOf('{{', close + 2);
      continue;
    }
    budget.tags++;
    if (budget.tags > L.maxTags) refuse(source, field, i, `The template has more than ${L.maxTags} {{…}} tags.`);
    const end = source.indexOf('}}', j);
    if (end === -1) return;
    if (end + 2 - i > L.maxTagChars) refuse(source, field, i, `This tag is longer than ${L.maxTagChars} characters.`);
    const inner = source.slice(j, end);
    budget.tokens += 3 + (inner.match(SEPARATORS)?.length ?? 0);
    if (budget.tokens > L.maxTokens)
      refuse(source, field, i, `The template's tags are too many or too long (more than ${L.maxTokens} parts in all).`);
    const kind = inner[0];
    const body = inner.slice(1).replace(/~$/, '').trim();
    const elseWith = /^else\s+\S/.test(inner.replace(/~$/, '').trim());
    if (kind === '#' || (kind === '^' && body !== '') || (elseWith && open.length > 0)) {
      if (elseWith) open[open.length - 1]! += 1;
      else open.push(1);
      depth++;
      if (depth > L.maxDepth)
        refuse(
          source,
          field,
          i,
          `Blocks are nested more than ${L.maxDepth} deep (each {{else if}} counts as one level).`,
        );
    } else if (kind === '/') {
      depth = Math.max(0, depth - (open.pop() ?? 1));
    }
    i = source.indexOf('{{', end + 2);
  }
}
