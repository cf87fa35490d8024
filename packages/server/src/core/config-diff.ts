import { getConfigPath } from '@postern/connector-kit';

/**
 * The changes an import makes, field by field, with the value before and after. A secret's
 * value never appears: its change says only whether it was added, replaced or removed, and
 * `SecretOutcome` also names the ones the target keeps as they are.
 */
export interface Change {
  path: string;
  action: 'add' | 'update' | 'remove';
  /** The target's value now (absent for `add` and for secrets). */
  before?: unknown;
  /** The value after the import (absent for `remove` and for secrets). */
  after?: unknown;
  /** Set on a connector's secret field, whose values are never shown. */
  secret?: 'added' | 'replaced' | 'removed';
}

export interface SecretOutcome {
  path: string;
  outcome: 'kept' | 'added' | 'replaced' | 'removed';
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The leaves of an object as dotted paths; arrays and empty objects are leaves. */
export function leaves(prefix: string, value: unknown, out = new Map<string, unknown>()): Map<string, unknown> {
  if (value === undefined) return out;
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(`${prefix}.${k}`, v, out);
  } else out.set(prefix, value);
  return out;
}

const SECRET_WORDS = { add: 'added', update: 'replaced', remove: 'removed' } as const;

/**
 * Appends to `out` one change per leaf that differs between `before` and `after` (either may
 * be absent: everything is then added or removed). `isSecret` marks paths whose values stay hidden.
 */
export function diffLeaves(prefix: string, before: unknown, after: unknown, out: Change[], isSecret: (path: string) => boolean = () => false): void {
  const b = leaves(prefix, before);
  const a = leaves(prefix, after);
  for (const path of new Set([...b.keys(), ...a.keys()])) {
    const action = !b.has(path) ? 'add' : !a.has(path) ? 'remove' : same(b.get(path), a.get(path)) ? undefined : 'update';
    if (!action) continue;
    if (isSecret(path)) {
      out.push({ path, action, secret: SECRET_WORDS[action] });
      continue;
    }
    out.push({ path, action, ...(action !== 'add' ? { before: b.get(path) } : {}), ...(action !== 'remove' ? { after: a.get(path) } : {}) });
  }
}

/** A connector as the diff sees it: its factory and its config. */
export interface ConnectorSide {
  factoryId: string;
  config: Record<string, unknown>;
  /** Its factory's secret field paths (`apiKey`, `auth.pass`). */
  secretPaths: readonly string[];
}

/**
 * The changes from one connector (or none) to another under `prefix` (`connector`,
 * `fallbackConnector`), and what becomes of each secret field.
 */
export function diffConnector(prefix: string, current: ConnectorSide | undefined, next: ConnectorSide | undefined, out: Change[], secrets: SecretOutcome[]): void {
  const secretFull = new Set([...(current?.secretPaths ?? []), ...(next?.secretPaths ?? [])].map((p) => `${prefix}.config.${p}`));
  const isSecret = (path: string) => [...secretFull].some((s) => path === s || path.startsWith(`${s}.`));
  diffLeaves(prefix, current && { factoryId: current.factoryId, config: current.config }, next && { factoryId: next.factoryId, config: next.config }, out, isSecret);
  for (const full of secretFull) {
    const p = full.slice(`${prefix}.config.`.length);
    const b = current?.secretPaths.includes(p) ? getConfigPath(current.config, p) : undefined;
    const a = next?.secretPaths.includes(p) ? getConfigPath(next.config, p) : undefined;
    if (b === undefined && a === undefined) continue;
    secrets.push({ path: full, outcome: b === undefined ? 'added' : a === undefined ? 'removed' : same(a, b) ? 'kept' : 'replaced' });
  }
}


const shown = (v: unknown) => {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** One line's tail for a change, as the CLI prints it: `: "a" → "b"`, or `(secret replaced)`. */
export function describeChange(c: Change): string {
  if (c.secret) return ` (secret ${c.secret})`;
  if (c.action === 'add') return `: ${shown(c.after)}`;
  if (c.action === 'remove') return ` (was ${shown(c.before)})`;
  return `: ${shown(c.before)} → ${shown(c.after)}`;
}
