import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONNECTOR_ID, destinationPaths, secretPaths, type ConnectorFactory } from '@postern/connector-kit';
import { createBuiltinFactory, type BuiltinOptions } from './builtin/index.js';
import { BUILT_IN_FACTORIES } from './list.js';

/** The connector factories this instance offers: the built-in list plus custom modules. */
export class ConnectorRegistry {
  private readonly factories = new Map<string, ConnectorFactory>();
  private readonly secrets = new Map<string, string[]>();
  private readonly destinations = new Map<string, string[]>();

  constructor(factories: ConnectorFactory[]) {
    for (const f of factories) this.add(f);
  }

  add(f: ConnectorFactory): void {
    if (this.factories.has(f.id)) throw new Error(`Two connector factories have the id "${f.id}".`);
    this.factories.set(f.id, f);
    this.secrets.set(f.id, secretPaths(f.configSchema));
    this.destinations.set(f.id, destinationPaths(f.configSchema));
  }

  get(id: string): ConnectorFactory | undefined {
    return this.factories.get(id);
  }

  list(): ConnectorFactory[] {
    return [...this.factories.values()];
  }

  secretPaths(id: string): string[] {
    return this.secrets.get(id) ?? [];
  }

  /** The fields that say where a connector sends (marked with `destination()` in its schema). */
  destinationPaths(id: string): string[] {
    return this.destinations.get(id) ?? [];
  }
}

export function createRegistry(builtin: BuiltinOptions, custom: ConnectorFactory[] = []): ConnectorRegistry {
  return new ConnectorRegistry([createBuiltinFactory(builtin), ...BUILT_IN_FACTORIES, ...custom]);
}

/** Says what is wrong with a module's export, or null when it is a factory. */
export function checkFactoryShape(f: unknown): string | null {
  if (!f || typeof f !== 'object') return 'the default export is not an object';
  const o = f as Record<string, unknown>;
  for (const k of ['id', 'name', 'description', 'logo', 'readme'] as const) {
    if (typeof o[k] !== 'string' || !(o[k] as string).trim()) return `"${k}" must be a non-empty string`;
  }
  if (!CONNECTOR_ID.test(o.id as string)) return '"id" must be a lower-case slug (a-z, 0-9, -)';
  const schema = o.configSchema as { safeParse?: unknown } | undefined;
  if (!schema || typeof schema.safeParse !== 'function') return '"configSchema" must be a zod schema (import { z } from "@postern/connector-kit")';
  const caps = o.capabilities as Record<string, unknown> | undefined;
  if (!caps || ['customTemplates', 'providerTemplates', 'customSender'].some((k) => typeof caps[k] !== 'boolean')) {
    return '"capabilities" must have boolean customTemplates, providerTemplates and customSender';
  }
  if (typeof o.create !== 'function') return '"create(config, ctx)" must be a function';
  if (o.parseEvents !== undefined && typeof o.parseEvents !== 'function') return '"parseEvents(request, config, ctx)", when present, must be a function';
  return null;
}

/**
 * Loads every module in POSTERN_CONNECTORS_DIR (files ending .js/.mjs, or folders with an
 * index.js), each default-exporting a factory. A module that does not fit the contract
 * stops the start with a message that names the file and the problem.
 */
export async function loadCustomConnectors(dir: string): Promise<ConnectorFactory[]> {
  const root = resolve(dir);
  let entries: string[];
  try {
    entries = (await readdir(root)).sort();
  } catch (err) {
    throw new Error(`POSTERN_CONNECTORS_DIR: cannot read ${root}: ${(err as Error).message}`);
  }
  const out: ConnectorFactory[] = [];
  for (const name of entries) {
    const full = join(root, name);
    const st = await stat(full);
    let file: string | undefined;
    if (st.isFile() && /\.(m?js)$/.test(name)) file = full;
    else if (st.isDirectory()) {
      const idx = ['index.mjs', 'index.js'].map((n) => join(full, n));
      for (const c of idx) if (await stat(c).then((s) => s.isFile(), () => false)) file = c;
    }
    if (!file) continue;
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (err) {
      throw new Error(`Custom connector ${file} failed to load: ${(err as Error).message}`);
    }
    const factory = mod.default;
    const problem = checkFactoryShape(factory);
    if (problem) throw new Error(`Custom connector ${file} does not fit the connector contract: ${problem}.`);
    out.push(factory as ConnectorFactory);
  }
  return out;
}
