import Handlebars from 'handlebars';
import { TemplateError } from './errors.js';
import { newBudget, precheck, TEMPLATE_LIMITS, type TemplateBudget } from './limits.js';
import type { TemplateField } from './types.js';

/** The only helpers a template may use, and only as blocks. */
const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
/** Names Handlebars reserves for helpers we removed; refused even as plain variables. */
const RESERVED = new Set(['lookup', 'log', 'helperMissing', 'blockHelperMissing']);
const DATA_NAMES = new Set(['root', 'index', 'key', 'first', 'last']);

/** A variable as written at the template's root scope (inside no `{{#each}}`/`{{#with}}`). */
export interface VariableRef {
  parts: string[];
  line: number;
  column: number;
}

export interface CheckedTemplate {
  program: hbs.AST.Program;
  refs: VariableRef[];
}

/**
 * The isolated Handlebars environment every tenant template runs in: no partials, no
 * decorators, only the four block helpers. The AST check below refuses everything else
 * before compiling; these removals are the second line.
 */
export const sandbox = Handlebars.create();
sandbox.unregisterHelper('lookup');
sandbox.unregisterHelper('log');
const refuse = (): never => {
  throw new Error('This template construct is not allowed.');
};
sandbox.registerHelper('helperMissing', refuse);
sandbox.registerHelper('blockHelperMissing', refuse);

export const COMPILE_OPTIONS = {
  knownHelpers: { if: true, unless: true, each: true, with: true, lookup: false, log: false, helperMissing: false, blockHelperMissing: false },
  knownHelpersOnly: true,
  strict: false,
  preventIndent: true,
} as const;

export const RUNTIME_OPTIONS = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
} as const;

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };

/**
 * Parses a template and refuses what the sandbox does not allow, and what is too large or
 * too deep to parse or render quickly (limits.ts); throws `TemplateError`. The parts of one
 * template share one `budget`.
 */
export function checkTemplate(source: string, field: TemplateField, budget: TemplateBudget = newBudget()): CheckedTemplate {
  precheck(source, field, budget);
  let program: hbs.AST.Program;
  try {
    program = sandbox.parse(source);
  } catch (err) {
    throw parseFailure(err, field, source);
  }
  const refs: VariableRef[] = [];
  const fail = (node: Node, reason: string): never => {
    const start = node.loc?.start ?? { line: 1, column: 0 };
    throw new TemplateError({ field, line: start.line, column: start.column + 1, reason });
  };

  const checkPath = (expr: hbs.AST.Expression, scoped: boolean): void => {
    if (expr.type !== 'PathExpression') fail(expr, 'Only variables may appear here; literals and sub-expressions are not allowed.');
    const path = expr as hbs.AST.PathExpression;
    for (const part of path.parts) {
      if (part.startsWith('__') || part in Object.prototype) fail(path, `"${part}" is not an allowed variable name.`);
    }
    if (path.data) {
      const [name, ...rest] = path.parts;
      if (name === undefined || !DATA_NAMES.has(name)) fail(path, `@${name ?? ''} is not an allowed data variable.`);
      if (name === 'root' && rest.length > 0) refs.push(refAt(path, rest));
      return;
    }
    if (RESERVED.has(path.parts[0] ?? '') || (BLOCK_HELPERS.has(path.parts[0] ?? '') && path.parts.length === 1)) {
      fail(path, `"${path.original}" is a helper name and cannot be used as a variable.`);
    }
    if (!scoped && path.depth === 0 && path.parts.length > 0) refs.push(refAt(path, path.parts));
  };

  // What rendering may cost: `{{#each}}` repeats its body once per key of an object (the
  // variables are sanitized, so at most `maxKeysPerObject`), and a variable prints at most
  // `maxVariableChars`. Refused before compiling, so no render can run away.
  const L = TEMPLATE_LIMITS;
  const spend = (node: Node, tags: number, chars: number): void => {
    budget.expandedTags += tags;
    budget.expandedChars += chars;
    if (budget.expandedTags > L.maxExpandedTags) fail(node, `With its {{#each}} repetitions the template would evaluate more than ${L.maxExpandedTags} tags.`);
    if (budget.expandedChars > L.maxExpandedChars) fail(node, `With its {{#each}} repetitions and variables the message could exceed ${L.maxExpandedChars / 1024 / 1024} MB.`);
  };

  const walk = (node: hbs.AST.Program | undefined, scoped: boolean, times: number): void => {
    for (const stmt of node?.body ?? []) {
      switch (stmt.type) {
        case 'ContentStatement':
          spend(stmt, 0, (stmt as hbs.AST.ContentStatement).value.length * times);
          break;
        case 'CommentStatement':
          break;
        case 'MustacheStatement': {
          const m = stmt as hbs.AST.MustacheStatement;
          spend(m, times, L.maxVariableChars * times);
          if (!m.escaped) fail(m, 'Unescaped output ({{{…}}} or {{&…}}) is not allowed.');
          if (m.params.length > 0 || m.hash) fail(m, 'Helpers cannot be called here; only {{#if}}, {{#unless}}, {{#each}} and {{#with}} blocks are allowed.');
          checkPath(m.path, scoped);
          break;
        }
        case 'BlockStatement': {
          const b = stmt as hbs.AST.BlockStatement;
          const name = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : '';
          if (!BLOCK_HELPERS.has(name)) fail(b, `Unknown helper "${name}"; only if, unless, each and with are allowed.`);
          if (b.params.length !== 1 || b.hash) fail(b, `{{#${name}}} takes exactly one variable.`);
          checkPath(b.params[0]!, scoped);
          spend(b, times, 0);
          const inner = scoped || name === 'each' || name === 'with';
          walk(b.program, inner, name === 'each' ? times * L.maxKeysPerObject : times);
          // `{{else}}` of each/with runs in the outer scope.
          walk(b.inverse, scoped, times);
          break;
        }
        case 'PartialStatement':
        case 'PartialBlockStatement':
          fail(stmt, 'Partials ({{> …}}) are not allowed.');
          break;
        default:
          fail(stmt, `${stmt.type.replace(/Statement$|Block$/, '')} is not allowed.`);
      }
    }
  };
  walk(program, false, 1);
  return { program, refs };
}

function refAt(path: hbs.AST.PathExpression, parts: string[]): VariableRef {
  const start = (path as Node).loc?.start ?? { line: 1, column: 0 };
  return { parts, line: start.line, column: start.column + 1 };
}

/**
 * Handlebars reports grammar errors as a bare message; the position is the lexer's last
 * token, which it leaves on the shared parser after the throw (read synchronously).
 */
function parseFailure(err: unknown, field: TemplateField, source: string): TemplateError {
  const e = err as { message?: string; lineNumber?: number; column?: number };
  const message = String(e.message ?? 'Parse error');
  if (typeof e.lineNumber === 'number' && typeof e.column === 'number') {
    const reason = message.replace(/ - \d+:\d+$/, '');
    return new TemplateError({ field, line: e.lineNumber, column: e.column + 1, reason }, { cause: err });
  }
  const lexer = (sandbox as unknown as { Parser: { lexer?: { yylloc?: { first_line: number; first_column: number }; match?: string } } }).Parser.lexer;
  const loc = lexer?.yylloc;
  const got = /got '([^']+)'/.exec(message)?.[1];
  const token = lexer?.match ?? '';
  const line = loc?.first_line ?? 1;
  const column = (loc?.first_column ?? 0) + 1;
  const offset = source.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  const open = source.lastIndexOf('{{', offset);
  const unclosed = open >= 0 && !source.slice(open).includes('}}');
  const reason =
    got === 'EOF'
      ? 'The template ends inside an unfinished block: a {{#…}} has no matching {{/…}}.'
      : unclosed
        ? 'This {{ is never closed with }}; the template is unfinished.'
        : `Unexpected ${token ? `"${token.slice(0, 20)}"` : (got ?? 'input')}.`;
  return new TemplateError({ field, line, column, reason }, { cause: err });
}
