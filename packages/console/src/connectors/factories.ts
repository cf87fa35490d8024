import { api, type ConnectorFactory } from '../api.js';

let cached: Promise<ConnectorFactory[]> | undefined;

/** The factories rarely change while the console is open: fetch them once per page load. */
export function loadFactories(): Promise<ConnectorFactory[]> {
  cached ??= api.connectorFactories().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

/** A one-shot message shown by the next page (e.g. "Saved" after Save and Done). */
let flashMessage: string | undefined;
export const flash = {
  set(message: string) {
    flashMessage = message;
  },
  take(): string | undefined {
    const m = flashMessage;
    flashMessage = undefined;
    return m;
  },
};

/** Every leaf of a config as `[path, value]`, for showing it and finding masked secrets. */
export function flatten(value: unknown, path = ''): [string, unknown][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return path ? [[path, '{}']] : [];
    return entries.flatMap(([k, v]) => flatten(v, path ? `${path}.${k}` : k));
  }
  return [[path, value]];
}
