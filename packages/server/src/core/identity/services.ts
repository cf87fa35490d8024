import type { Services } from '../../http/context.js';

/** The end-user side: users, flows, tokens, account, organizations (SPEC §7–10). */
export interface IdentityServices {
  close?(): Promise<void>;
}

/** Built by main.ts once the rest of the services exist. */
export async function createIdentityServices(_s: Omit<Services, 'identity'>): Promise<IdentityServices> {
  return {};
}
