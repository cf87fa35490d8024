/**
 * The admin key and the chosen tenant, kept in sessionStorage: they last as long as the
 * tab and never reach localStorage or a cookie.
 */
const KEY = 'postern.adminKey';
const TENANT = 'postern.tenant';
const SYSTEM = 'postern.systemKey';

function store(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export const session = {
  key: (): string | null => store()?.getItem(KEY) ?? null,
  tenantId: (): string => store()?.getItem(TENANT) ?? 'default',
  /** Whether the key is a system key (it may list and create tenants). */
  isSystem: (): boolean => store()?.getItem(SYSTEM) === 'true',
  signIn(key: string, tenantId: string, isSystem: boolean): void {
    store()?.setItem(KEY, key);
    store()?.setItem(TENANT, tenantId);
    store()?.setItem(SYSTEM, String(isSystem));
  },
  switchTenant(tenantId: string): void {
    store()?.setItem(TENANT, tenantId);
  },
  signOut(): void {
    for (const k of [KEY, TENANT, SYSTEM]) store()?.removeItem(k);
  },
};
