import type { Clock } from '../core/ports.js';
import type { IdentityServices } from '../core/identity/services.js';
import type { OidcStore } from '../core/applications/ports.js';
import type { Applications } from '../core/applications/service.js';

// What the OIDC routes need without loading oidc-provider: provider.ts (which imports it,
// about 8 MB of heap) is loaded when a tenant's provider is first built.

export interface OidcDeps {
  publicUrl: string;
  clock: Clock;
  identity: IdentityServices;
  applications: Applications;
  store: OidcStore;
  deriveKey(purpose: string): Buffer;
}

/** The tenant's base URL: POSTERN_PUBLIC_URL, tenant-prefixed for tenants other than `default`. */
export const tenantBase = (publicUrl: string, tenantId: string): string =>
  tenantId === 'default' ? publicUrl : `${publicUrl}/t/${tenantId}`;
export const issuerOf = (publicUrl: string, tenantId: string): string => `${tenantBase(publicUrl, tenantId)}/oidc`;
/** Path of the issuer (`/oidc` or `/t/T/oidc`), where the provider is mounted and its cookies live. */
export const issuerPath = (publicUrl: string, tenantId: string): string =>
  new URL(issuerOf(publicUrl, tenantId)).pathname;
